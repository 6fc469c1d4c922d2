#!/bin/sh
# Installs the Debian packages threadlab needs, only those missing, so it is
# cheap to run before every build. Needs root (or sudo) only when something
# is missing. python3-greenlet and python3-gevent are only for `make bench`
# and for checking the coroutine lessons against the real greenlet/gevent.
set -eu

PKGS="gcc make pkg-config liblua5.4-dev libedit-dev libsdl2-dev libsdl2-ttf-dev
libsdl2-image-dev libfontconfig-dev fontconfig fonts-dejavu-core fonts-wqy-microhei
librsvg2-bin xvfb xauth python3 procps libgif-dev libpng-dev zlib1g-dev
python3-greenlet python3-gevent"

# `make fuzz` (and only it) needs clang with libFuzzer.
[ "${1:-}" = fuzz ] && PKGS="clang libclang-rt-dev"

missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
