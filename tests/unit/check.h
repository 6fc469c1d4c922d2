/* The one assertion of the C unit tests: a failed check is counted and
 * said, and the test goes on, so one run shows every failure. Each test's
 * main returns failures != 0. */
#ifndef TL_TEST_CHECK_H
#define TL_TEST_CHECK_H

#include <stdio.h>

static int failures;

#define CHECK(cond)                                                   \
  do {                                                                \
    if (!(cond)) {                                                    \
      failures++;                                                     \
      printf("%s:%d: %s: failed: %s\n", __FILE__, __LINE__, __func__, \
             #cond);                                                  \
    }                                                                 \
  } while (0)

#endif
