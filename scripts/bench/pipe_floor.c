/* The floor under pipe-roundtrip-100k, in C: 100,000 one-byte round trips
 * between two threads over two pipes, with blocking reads (as CPython's
 * os.read) and with non-blocking descriptors, a poll, then the read (as
 * threadlab's, whose descriptors are all non-blocking in the kernel).
 * Prints "blocking=US polled=US": wall time a trip, in microseconds.
 * scripts/bench.sh builds and runs it beside the bench. */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

enum { N = 100000 };
static int polled;
static int req[2], rep[2];

static void read_one(int fd) {
  struct pollfd p = {fd, POLLIN, 0};
  char c;
  if (polled) poll(&p, 1, 50);
  while (read(fd, &c, 1) != 1) poll(&p, 1, 50);
}

static void *echo(void *arg) {
  (void)arg;
  for (int i = 0; i < N; i++) {
    read_one(req[0]);
    if (write(rep[1], "x", 1) != 1) exit(1);
  }
  return NULL;
}

/* One run of N round trips: wall microseconds a trip. */
static double run(int poll_first) {
  struct timespec t0, t1;
  pthread_t t;
  polled = poll_first;
  if (pipe(req) || pipe(rep)) exit(1);
  if (polled) {
    fcntl(req[0], F_SETFL, O_NONBLOCK);
    fcntl(rep[0], F_SETFL, O_NONBLOCK);
  }
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pthread_create(&t, NULL, echo, NULL);
  for (int i = 0; i < N; i++) {
    if (write(req[1], "x", 1) != 1) exit(1);
    read_one(rep[0]);
  }
  pthread_join(t, NULL);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  close(req[0]), close(req[1]), close(rep[0]), close(rep[1]);
  return ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / N / 1e3;
}

int main(void) {
  double blocking = run(0), polled_us = run(1);
  printf("blocking=%.2f polled=%.2f\n", blocking, polled_us);
  return 0;
}
