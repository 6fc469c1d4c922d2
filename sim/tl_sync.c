#include "tl_sync.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void tl__die(const char *what, int err) {
  fprintf(stderr, "threadlab: fatal: %s: %s\n", what, strerror(err));
  abort();
}

void tl_mutex_init(tl_mutex *m) {
  pthread_mutexattr_t a;
  int err;
  pthread_mutexattr_init(&a);
#ifndef NDEBUG
  pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
#endif
  if ((err = pthread_mutex_init(m, &a))) tl__die("pthread_mutex_init", err);
  pthread_mutexattr_destroy(&a);
}

void tl_mutex_destroy(tl_mutex *m) {
  int err = pthread_mutex_destroy(m);
  if (err) tl__die("pthread_mutex_destroy", err);
}

void tl_mutex_lock(tl_mutex *m) {
  int err = pthread_mutex_lock(m);
  if (err) tl__die("pthread_mutex_lock", err);
}

void tl_mutex_unlock(tl_mutex *m) {
  int err = pthread_mutex_unlock(m);
  if (err) tl__die("pthread_mutex_unlock", err);
}

void tl_cond_init(tl_cond *c) {
  pthread_condattr_t a;
  int err;
  pthread_condattr_init(&a);
  pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
  if ((err = pthread_cond_init(c, &a))) tl__die("pthread_cond_init", err);
  pthread_condattr_destroy(&a);
}

void tl_cond_destroy(tl_cond *c) {
  int err = pthread_cond_destroy(c);
  if (err) tl__die("pthread_cond_destroy", err);
}

void tl_cond_wait(tl_cond *c, tl_mutex *m) {
  int err = pthread_cond_wait(c, m);
  if (err) tl__die("pthread_cond_wait", err);
}

int tl_cond_wait_until(tl_cond *c, tl_mutex *m, uint64_t deadline_ns) {
  struct timespec ts;
  int err;
  ts.tv_sec = (time_t)(deadline_ns / 1000000000u);
  ts.tv_nsec = (long)(deadline_ns % 1000000000u);
  err = pthread_cond_timedwait(c, m, &ts);
  if (err && err != ETIMEDOUT) tl__die("pthread_cond_timedwait", err);
  return err;
}

void tl_cond_signal(tl_cond *c) {
  int err = pthread_cond_signal(c);
  if (err) tl__die("pthread_cond_signal", err);
}

void tl_cond_broadcast(tl_cond *c) {
  int err = pthread_cond_broadcast(c);
  if (err) tl__die("pthread_cond_broadcast", err);
}

static uint64_t tl__clock(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t tl_now_ns(void) { return tl__clock(CLOCK_MONOTONIC); }
uint64_t tl_wall_ns(void) { return tl__clock(CLOCK_REALTIME); }
