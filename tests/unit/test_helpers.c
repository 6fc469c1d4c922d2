/* The views' one-of-each helpers: the strict UTF-8 decoder, the atomic
 * file writer, the time formatter. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic_file.h"
#include "display.h"
#include "utf8.h"

#include "check.h"

/* The code points of s, as "U+XXXX U+YYYY". */
static const char *tl__decode(const char *s) {
  static char out[256];
  const unsigned char *p = (const unsigned char *)s;
  size_t o = 0;
  out[0] = '\0';
  while (*p && o + 10 < sizeof out) o += (size_t)sprintf(out + o, "%sU+%04X", o ? " " : "", tl_utf8_next(&p));
  return out;
}

static void test_utf8_strict(void) {
  char buf[8];
  CHECK_STR(tl__decode("a线"), "U+0061 U+7EBF");
  CHECK_STR(tl__decode("\xF0\x9F\x98\x80"), "U+1F600");
  CHECK_STR(tl__decode("\xC0\xAF"), "U+FFFD");             /* overlong '/' */
  CHECK_STR(tl__decode("\xE0\x80\xAF"), "U+FFFD");         /* overlong, 3 bytes */
  CHECK_STR(tl__decode("\xED\xA0\x80"), "U+FFFD");         /* a surrogate */
  CHECK_STR(tl__decode("\xF4\x90\x80\x80"), "U+FFFD");     /* past U+10FFFF */
  CHECK_STR(tl__decode("\xFFx"), "U+FFFD U+0078");         /* a bad lead: one byte */
  CHECK_STR(tl__decode("\xE7\xBA" "x"), "U+FFFD U+FFFD U+0078"); /* cut short */
  CHECK_EQ(tl_utf8_put(buf, 0x7EBF), 3);
  CHECK(memcmp(buf, "线", 3) == 0);
  CHECK_EQ(tl_utf8_put(buf, 0x1F600), 4);
}

static int tl__write_text(FILE *f, const char *tmp, void *arg, char *err, size_t errlen) {
  return fputs(arg, f) < 0 ? -1 : 0;
}

static int tl__write_half_then_fail(FILE *f, const char *tmp, void *arg, char *err, size_t errlen) {
  fputs("half", f);
  snprintf(err, errlen, "the painter gave up");
  return -1;
}

static char *tl__slurp(const char *path) {
  static char buf[256];
  FILE *f = fopen(path, "r");
  size_t n;
  if (!f) return NULL;
  n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

static void test_atomic_file(void) {
  char dir[256], path[300], err[512], cmd[300];
  snprintf(dir, sizeof dir, "%s/threadlab-test-atomic-%ld", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
           (long)getpid());
  snprintf(path, sizeof path, "%s/out.svg", dir);
  snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
  CHECK_EQ(system(cmd), 0);
  CHECK_EQ(tl_write_file_atomic(path, NULL, tl__write_text, "good", err, sizeof err), 0);
  CHECK_STR(tl__slurp(path), "good");
  /* a failed write leaves the good file as it was, and no temporary */
  CHECK_EQ(tl_write_file_atomic(path, ".png", tl__write_half_then_fail, NULL, err, sizeof err), -1);
  CHECK_STR(tl__slurp(path), "good");
  CHECK(strstr(err, "cannot write") && strstr(err, "out.svg: the painter gave up"));
  snprintf(cmd, sizeof cmd, "test $(ls '%s' | wc -l) -eq 1", dir);
  CHECK_EQ(system(cmd), 0);
  /* an unwritable place says why */
  CHECK_EQ(tl_write_file_atomic("/nonexistent/dir/x.svg", NULL, tl__write_text, "x", err, sizeof err), -1);
  CHECK_STR(err, "cannot write /nonexistent/dir/x.svg: No such file or directory");
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  CHECK_EQ(system(cmd), 0);
}

static void test_format_ns(void) {
  char buf[32];
  tl_format_ns(buf, sizeof buf, 532);
  CHECK_STR(buf, "532 ns");
  tl_format_ns(buf, sizeof buf, 12300);
  CHECK_STR(buf, "12.3 µs");
  tl_format_ns(buf, sizeof buf, 4560000);
  CHECK_STR(buf, "4.56 ms");
  tl_format_ns(buf, sizeof buf, 1234000000);
  CHECK_STR(buf, "1.234 s");
}

int main(int argc, char **argv) {
  static const tl_test tests[] = {TL_TEST(test_utf8_strict), TL_TEST(test_atomic_file),
                                  TL_TEST(test_format_ns), {NULL, NULL}};
  return tl_test_main(tests, argc, argv);
}
