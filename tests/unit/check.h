/* The C unit tests' checks and runner.
 *
 * A failed check is counted and said (CHECK_EQ and CHECK_STR say what they
 * got and what they wanted), and the test goes on, so one run shows every
 * failure. Each file lists its tests for tl_test_main:
 *   test_x            every test, each in its own process (a crash fails
 *                     that test only), then "N passed, N failed, N skipped"
 *   test_x NAME...    only those, in this process (tests/run.sh runs each
 *                     test of a file so, as a test of its own)
 *   test_x --list     the names
 * SKIP(why) ends a test as skipped (exit status 77, which tests/run.sh
 * counts as a skip). */
#ifndef TL_TEST_CHECK_H
#define TL_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;

#define TL_TEST_SKIP 77

#define CHECK(cond)                                                   \
  do {                                                                \
    if (!(cond)) {                                                    \
      failures++;                                                     \
      printf("%s:%d: %s: failed: %s\n", __FILE__, __LINE__, __func__, \
             #cond);                                                  \
    }                                                                 \
  } while (0)

/* Integers (any width; compared and printed as long long). */
#define CHECK_EQ(got, want)                                                      \
  do {                                                                           \
    long long tl__g = (long long)(got), tl__w = (long long)(want);               \
    if (tl__g != tl__w) {                                                        \
      failures++;                                                                \
      printf("%s:%d: %s: %s: got %lld, want %lld\n", __FILE__, __LINE__, __func__, \
             #got, tl__g, tl__w);                                                \
    }                                                                            \
  } while (0)

/* Strings; NULL is a string of its own ("(null)" when printed). */
#define CHECK_STR(got, want)                                                          \
  do {                                                                                \
    const char *tl__g = (got), *tl__w = (want);                                       \
    if (tl__g != tl__w && (!tl__g || !tl__w || strcmp(tl__g, tl__w) != 0)) {          \
      failures++;                                                                     \
      printf("%s:%d: %s: %s: got \"%s\", want \"%s\"\n", __FILE__, __LINE__, __func__, \
             #got, tl__g ? tl__g : "(null)", tl__w ? tl__w : "(null)");               \
    }                                                                                 \
  } while (0)

#define SKIP(why)                     \
  do {                                \
    printf("skip: %s\n", (why));      \
    fflush(stdout);                   \
    exit(TL_TEST_SKIP);               \
  } while (0)

typedef struct tl_test {
  const char *name;
  void (*fn)(void);
} tl_test;
#define TL_TEST(fn) { #fn, fn }

/* Runs one test in a child process: 0 passed, 1 failed, 2 skipped. */
static int tl__test_fork(const tl_test *t) {
  int status;
  pid_t pid;
  fflush(stdout);
  fflush(stderr);
  pid = fork();
  if (pid < 0) {
    perror("fork");
    return 1;
  }
  if (pid == 0) {
    t->fn();
    fflush(stdout);
    _exit(failures ? 1 : 0);
  }
  if (waitpid(pid, &status, 0) != pid) return 1;
  if (WIFEXITED(status) && WEXITSTATUS(status) == TL_TEST_SKIP) return 2;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
  if (WIFSIGNALED(status)) printf("%s: killed by signal %d\n", t->name, WTERMSIG(status));
  return 1;
}

static int tl_test_main(const tl_test *tests, int argc, char **argv) {
  const tl_test *t;
  int i, n[3] = {0, 0, 0};
  if (argc > 1 && strcmp(argv[1], "--list") == 0) {
    for (t = tests; t->name; t++) puts(t->name);
    return 0;
  }
  if (argc > 1) { /* the named tests, here */
    for (i = 1; i < argc; i++) {
      for (t = tests; t->name && strcmp(t->name, argv[i]) != 0; t++) {}
      if (!t->name) {
        printf("no test named %s (--list lists them)\n", argv[i]);
        return 2;
      }
      t->fn();
    }
    return failures ? 1 : 0;
  }
  for (t = tests; t->name; t++) {
    int r = tl__test_fork(t);
    n[r]++;
    printf("%-5s %s\n", r == 0 ? "ok" : r == 1 ? "FAIL" : "skip", t->name);
  }
  printf("%d passed, %d failed, %d skipped\n", n[0], n[1], n[2]);
  return n[1] ? 1 : n[0] == 0 && n[2] ? TL_TEST_SKIP : 0;
}

#endif
