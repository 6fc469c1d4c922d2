/* bench wake-8000-floor: what waking 8,000 parked threads costs this machine
 * with no interpreter at all, so wake-8000's figures have a yardstick.
 *   chain: each thread, woken, wakes the next (one GIL handoff at a time,
 *          as wake-8000 runs them);
 *   herd:  all are woken at once and take a spinning "GIL" in turn (as
 *          CPython's Event.set lets every waiter go).
 * Timed from the first wake until the last thread has run.
 * Usage: wake_floor [N]   (default 8000); prints "chain=<s> herd=<s>". */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t parked_cv = PTHREAD_COND_INITIALIZER, herd_cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t *cv;
static int *go, n, parked, herd_go, left;
static atomic_int gil;
static double t_last;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void park(void) {
  parked++;
  pthread_cond_signal(&parked_cv);
}

static void *chain(void *arg) {
  long i = (long)arg;
  pthread_mutex_lock(&mu);
  park();
  while (!go[i]) pthread_cond_wait(&cv[i], &mu);
  if (i + 1 < n) {
    go[i + 1] = 1;
    pthread_cond_signal(&cv[i + 1]);
  } else {
    t_last = now();
  }
  pthread_mutex_unlock(&mu);
  return NULL;
}

static void *herd(void *arg) {
  int free_ = 0;
  (void)arg;
  pthread_mutex_lock(&mu);
  park();
  while (!herd_go) pthread_cond_wait(&herd_cv, &mu);
  pthread_mutex_unlock(&mu);
  while (!atomic_compare_exchange_weak(&gil, &free_, 1)) {
    free_ = 0;
    sched_yield();
  }
  if (--left == 0) t_last = now();
  atomic_store(&gil, 0);
  return NULL;
}

static double run(void *(*fn)(void *)) {
  pthread_t *th = calloc((size_t)n, sizeof *th);
  pthread_attr_t attr;
  double t0;
  parked = 0;
  left = n;
  herd_go = 0;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 1 << 16);
  for (long i = 0; i < n; i++)
    if (pthread_create(&th[i], &attr, fn, (void *)i) != 0) {
      perror("pthread_create");
      exit(1);
    }
  pthread_mutex_lock(&mu);
  while (parked < n) pthread_cond_wait(&parked_cv, &mu);
  t0 = now();
  if (fn == chain) {
    go[0] = 1;
    pthread_cond_signal(&cv[0]);
  } else {
    herd_go = 1;
    pthread_cond_broadcast(&herd_cv);
  }
  pthread_mutex_unlock(&mu);
  for (int i = 0; i < n; i++) pthread_join(th[i], NULL);
  free(th);
  return t_last - t0;
}

int main(int argc, char **argv) {
  double c, h;
  n = argc > 1 ? atoi(argv[1]) : 8000;
  if (n < 1) return 2;
  cv = calloc((size_t)n, sizeof *cv);
  go = calloc((size_t)n, sizeof *go);
  for (int i = 0; i < n; i++) pthread_cond_init(&cv[i], NULL);
  c = run(chain);
  h = run(herd);
  printf("chain=%.4f herd=%.4f\n", c, h);
  return 0;
}
