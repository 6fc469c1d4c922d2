# Shared by the CLI tests: run threadlab, compare, fail loudly.
set -u
BIN=${TL_BIN:-./threadlab}
T=$(mktemp -d "${TL_TMP:-/tmp}/cli.XXXXXX")
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_eq() { [ "$1" = "$2" ] || fail "$3: got [$1], want [$2]"; }
# the lines of $2 are lines of $1, in this order (others may come between)
expect_in_order() {
  WANT=$2 awk 'BEGIN { n = split(ENVIRON["WANT"], w, "\n"); k = 1 }
               k <= n && $0 == w[k] { k++ } END { exit k <= n }' <<<"$1" ||
    fail "$3: [$2] not in this order in [$1]"
}
expect_has() { printf '%s' "$1" | grep -qF -- "$2" || fail "$3: [$2] not in [$1]"; }
# How many threadlab processes (zombies too) are left of the runs started
# with the environment variable named $1 set as it is here (from /proc).
left_behind() {
  local n=0 e d
  for e in $(grep -l "$1=${!1}" /proc/[0-9]*/environ 2>/dev/null); do
    d=${e%/environ}
    case "$(readlink "$d/exe" 2>/dev/null)$(cat "$d/stat" 2>/dev/null)" in *threadlab*) n=$((n + 1)) ;; esac
  done
  echo $n
}
# Runs a program (with its arguments) three times on the virtual clock and
# prints what it printed; fails unless the three traces are the same.
# (Its stderr is kept apart: under TSan a forked child of a threaded
# process may get the runtime's own "dup thread with used id" there; TSan
# does not check such a child.)
replays() {
  local i out
  for i in 1 2 3; do
    out=$($BIN --headless --clock virtual --speed 0 --trace "$T/replay$i.bin" "$@" 2>"$T/replay.err") ||
      fail "$1, run $i: $out $(cat "$T/replay.err")"
    $BIN --dump-trace "$T/replay$i.bin" > "$T/replay$i.txt" || fail "$1, run $i: dump"
  done
  cmp -s "$T/replay1.txt" "$T/replay2.txt" && cmp -s "$T/replay1.txt" "$T/replay3.txt" ||
    fail "three runs of $*, traces differ: $(diff "$T/replay1.txt" "$T/replay2.txt" | head -4)"
  printf '%s\n' "$out"
}
