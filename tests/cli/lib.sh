# Shared by the CLI tests: run threadlab, compare, fail loudly.
set -u
BIN=${TL_BIN:-./threadlab}
T=$(mktemp -d "${TL_TMP:-/tmp}/cli.XXXXXX")
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_eq() { [ "$1" = "$2" ] || fail "$3: got [$1], want [$2]"; }
expect_has() { printf '%s' "$1" | grep -qF -- "$2" || fail "$3: [$2] not in [$1]"; }
# How many threadlab processes carry the string $1 (NAME=VALUE) in their
# environment: a test marks its runs so, and counts what is left (/proc).
marked_left() {
  local n=0 e d
  for e in $(grep -l "$1" /proc/[0-9]*/environ 2>/dev/null); do
    d=${e%/environ}
    case "$(readlink "$d/exe" 2>/dev/null)$(cat "$d/stat" 2>/dev/null)" in *threadlab*) n=$((n + 1)) ;; esac
  done
  echo $n
}
