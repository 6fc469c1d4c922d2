/* The monotonic clock threadlab stamps events with (tl_now_ns: the TSC
 * scaled to ns where the kernel counts time with it, else
 * clock_gettime): on every thread it never goes back and stays within a
 * few microseconds of CLOCK_MONOTONIC, across the anchors it takes every
 * millisecond, over sleeps and from fresh threads. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "tl_sync.h"

#include "check.h"

static uint64_t mono(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Readings for about ms milliseconds: how many went back, and how many
 * fell outside [before - 20 us, after + 20 us] of clock_gettime. */
static void *probe(void *arg) {
  int *bad = arg;
  uint64_t end = mono() + 60000000u, last = 0;
  unsigned n = 0;
  while (mono() < end) {
    uint64_t a = mono(), t = tl_now_ns(), b = mono();
    if (t < last) bad[0]++;
    /* (a reading between a and b; preempted between them, b is later) */
    if (t + 20000 < a || t > b + 20000) bad[1]++;
    last = t;
    if (++n % 4096 == 0) {
      struct timespec ts = {0, 2000000}; /* past an anchor's span */
      nanosleep(&ts, NULL);
    }
  }
  return NULL;
}

static void test_close_and_monotonic(void) {
  pthread_t th[2];
  int bad[3][2] = {{0}};
  int i;
  for (i = 0; i < 2; i++) pthread_create(&th[i], NULL, probe, bad[i]);
  probe(bad[2]);
  for (i = 0; i < 2; i++) pthread_join(th[i], NULL);
  for (i = 0; i < 3; i++) {
    if (bad[i][0] || bad[i][1]) printf("  thread %d: %d back, %d off\n", i, bad[i][0], bad[i][1]);
    CHECK(bad[i][0] == 0);
    CHECK(bad[i][1] == 0);
  }
}

int main(int argc, char **argv) {
  static const tl_test tests[] = {
      TL_TEST(test_close_and_monotonic),
      {NULL, NULL}};
  return tl_test_main(tests, argc, argv);
}
