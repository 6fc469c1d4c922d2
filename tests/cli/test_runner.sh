# The test machinery says what went wrong: CHECK_EQ/CHECK_STR print what
# they got and wanted, each C unit test runs in its own process (a crash
# fails that test only), tests are selectable by name, a skip (exit 77) is
# counted apart, and a lesson whose needs are missing is a skip, not an ok.
. tests/cli/lib.sh
cat > "$T/test_demo.c" <<'C'
#include "check.h"
static void test_pass(void) { CHECK_EQ(6 * 7, 42); CHECK_STR("a", "a"); }
static void test_wrong(void) { CHECK_EQ(6 * 7, 43); CHECK_STR("got", "want"); }
static void test_crash(void) { volatile int *p = NULL; *p = 1; }
static void test_skipped(void) { SKIP("no such thing here"); }
int main(int argc, char **argv) {
  static const tl_test tests[] = {TL_TEST(test_pass), TL_TEST(test_wrong), TL_TEST(test_crash),
                                  TL_TEST(test_skipped), {NULL, NULL}};
  return tl_test_main(tests, argc, argv);
}
C
mkdir -p "$T/units"
${CC:-gcc} -std=c11 -D_GNU_SOURCE -Itests/unit -o "$T/units/test_demo" "$T/test_demo.c" ||
  fail "the demo unit test does not build"
demo="$T/units/test_demo"

out=$("$demo"); rc=$?
expect_eq "$rc" "1" "a failing file exits 1"
expect_has "$out" "6 * 7: got 42, want 43" "CHECK_EQ says got and want"
expect_has "$out" 'got "got", want "want"' "CHECK_STR says got and want"
expect_has "$out" "test_crash: killed by signal" "a crash is named"
expect_has "$out" "ok    test_pass" "the tests after a crash still run"
expect_has "$out" "skip  test_skipped" "a skip is a skip"
expect_has "$out" "1 passed, 2 failed, 1 skipped" "the file's count"
expect_eq "$("$demo" --list | tr '\n' ' ')" "test_pass test_wrong test_crash test_skipped " "--list"
"$demo" test_pass >/dev/null; expect_eq "$?" "0" "one test by name"
"$demo" test_skipped >/dev/null; expect_eq "$?" "77" "a skipped test by name exits 77"
"$demo" test_nothing >/dev/null; expect_eq "$?" "2" "an unknown name"

# the runner: each unit test a test of its own, skips counted
out=$(TL_UNITS="$T/units" TL_ONLY="$T/units/test_demo:test_" TL_TIMEOUT=20 tests/run.sh 2>&1)
expect_eq "$?" "1" "the runner fails when a test failed"
expect_has "$out" "ok    $demo:test_pass" "a unit test runs by name"
expect_has "$out" "FAIL  $demo:test_crash" "the crash fails alone"
expect_has "$out" "skip  $demo:test_skipped" "the skip is shown"
expect_has "$out" "skip: no such thing here" "with its reason"
expect_has "$(printf '%s' "$out" | tail -n 1)" "1 passed, 2 failed, 1 skipped" "the runner's count"
out=$(TL_UNITS="$T/units" TL_ONLY="$T/units/test_demo:test_skipped" tests/run.sh 2>&1)
expect_eq "$?" "0" "skips alone do not fail the run"
expect_eq "$(printf '%s' "$out" | tail -n 1)" "0 passed, 0 failed, 1 skipped" "the line CI reads"

# a unit file that cannot list its tests runs whole, as one test
mkdir -p "$T/units2"
printf '#!/bin/sh\necho "all of it: ok"\n' > "$T/units2/test_whole"
chmod +x "$T/units2/test_whole"
out=$(TL_UNITS="$T/units2" TL_ONLY="$T/units2/" tests/run.sh 2>&1)
expect_has "$out" "ok    $T/units2/test_whole:-" "a file without --list is one test"
expect_eq "$(printf '%s' "$out" | tail -n 1)" "1 passed, 0 failed, 0 skipped" "and counted once"

# a lesson whose needs this build lacks is skipped (77), not passed
printf 'lesson{ title={en="x", zh="x"}, source="none", needs={"threading.Nothing"} }\nprint("never")\n' \
  > "$T/99-needs.lua"
out=$($BIN --headless --auto --clock virtual --speed 0 "$T/99-needs.lua"); rc=$?
expect_eq "$rc" "77" "a lesson that cannot play exits 77"
expect_has "$out" "Skipped." "and says so"
echo ok
