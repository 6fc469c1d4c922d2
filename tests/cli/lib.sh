# Shared by the CLI tests: run threadlab, compare, fail loudly.
set -u
BIN=${TL_BIN:-./threadlab}
T=$(mktemp -d "${TL_TMP:-/tmp}/cli.XXXXXX")
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_eq() { [ "$1" = "$2" ] || fail "$3: got [$1], want [$2]"; }
expect_has() { printf '%s' "$1" | grep -qF -- "$2" || fail "$3: [$2] not in [$1]"; }
