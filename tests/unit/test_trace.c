/* The trace log: concurrent lock-free appends lose nothing, a full log says
 * so, strings survive, and a saved trace loads back (and a bad one does
 * not). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "trace.h"

#include "check.h"

#define NTHREADS 4
#define PER_THREAD 50000

static tl_trace *tr;

static void *writer(void *arg) {
  uint32_t tid = (uint32_t)(uintptr_t)arg;
  for (uint32_t i = 0; i < PER_THREAD; i++)
    tl_trace_emit(tr, i, 1, tid, TL_EV_MARK, 0, i, 0);
  return NULL;
}

static void test_concurrent_appends(void) {
  pthread_t th[NTHREADS];
  uint32_t seen[NTHREADS + 1] = { 0 };
  size_t i, n;
  tr = tl_trace_create(NTHREADS * PER_THREAD + 10, 4096);
  for (i = 0; i < NTHREADS; i++) pthread_create(&th[i], NULL, writer, (void *)(uintptr_t)(i + 1));
  for (i = 0; i < NTHREADS; i++) pthread_join(th[i], NULL);
  n = tl_trace_count(tr);
  CHECK(n == NTHREADS * PER_THREAD);
  for (i = 0; i < n; i++) {
    const tl_event *e = tl_trace_at(tr, i);
    CHECK(e->seq == i);
    if (e->tid >= 1 && e->tid <= NTHREADS) {
      /* Each writer's own events stay in its order. */
      if (e->obj != seen[e->tid]) { CHECK(e->obj == seen[e->tid]); break; }
      seen[e->tid]++;
    }
  }
  CHECK(tl_trace_lost(tr) == 0);
  tl_trace_destroy(tr);
}

static void test_full(void) {
  size_t n;
  int fd[2];
  char buf[256] = "";
  tr = tl_trace_create(10, 4096);
  /* The warning goes to stderr: catch it. */
  CHECK(pipe(fd) == 0);
  int saved = dup(2);
  dup2(fd[1], 2);
  for (int i = 0; i < 25; i++) tl_trace_emit(tr, i, 1, 1, TL_EV_MARK, 0, 0, 0);
  fflush(stderr);
  dup2(saved, 2);
  close(fd[1]);
  CHECK(read(fd[0], buf, sizeof buf - 1) > 0);
  CHECK(strstr(buf, "trace is full") != NULL);
  n = tl_trace_count(tr);
  CHECK(n == 10);
  CHECK(tl_trace_at(tr, 9)->kind == TL_EV_TRACE_FULL);
  CHECK(tl_trace_lost(tr) == 15);
  tl_trace_destroy(tr);
}

static void test_strings_and_fork(void) {
  uint64_t off;
  pid_t pid;
  int status;
  tr = tl_trace_create(100, 4096);
  off = tl_trace_str(tr, "worker <1> & 线程", strlen("worker <1> & 线程"));
  CHECK(strcmp(tl_trace_strat(tr, off), "worker <1> & 线程") == 0);
  CHECK(strcmp(tl_trace_strat(tr, 0), "") == 0);
  CHECK(strcmp(tl_trace_strat(tr, 1u << 30), "") == 0);
  /* A forked child appends to the same log. */
  pid = fork();
  if (pid == 0) {
    tl_trace_emit(tr, 5, getpid(), 1, TL_EV_PRINT, 0, 0, tl_trace_str(tr, "child", 5));
    _exit(0);
  }
  waitpid(pid, &status, 0);
  CHECK(tl_trace_count(tr) == 1);
  CHECK(strcmp(tl_trace_strat(tr, tl_trace_at(tr, 0)->arg), "child") == 0);
  CHECK(tl_trace_new_id(tr) != tl_trace_new_id(tr));
  tl_trace_destroy(tr);
}

static void test_save_load(void) {
  char path[] = "/tmp/tl_trace_testXXXXXX", err[256];
  int fd = mkstemp(path);
  tl_trace *back;
  FILE *f;
  close(fd);
  tr = tl_trace_create(100, 4096);
  tl_trace_emit(tr, 10, 7, 1, TL_EV_THREAD_NEW, 0, 1, tl_trace_str(tr, "MainThread", 10));
  tl_trace_emit(tr, 20, 7, 1, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  CHECK(tl_trace_save(tr, path) == 0);
  back = tl_trace_load(path, err, sizeof err);
  CHECK(back != NULL);
  if (back) {
    CHECK(tl_trace_count(back) == 2);
    CHECK(strcmp(tl_trace_strat(back, tl_trace_at(back, 0)->arg), "MainThread") == 0);
    CHECK(tl_trace_at(back, 1)->t == 20);
    tl_trace_destroy(back);
  }
  /* Hostile inputs: truncated, and a text offset pointing far away. */
  f = fopen(path, "r+b");
  fseek(f, 32 + 8, SEEK_SET); /* the first event's arg */
  uint64_t far = 1u << 30;
  fwrite(&far, sizeof far, 1, f);
  fclose(f);
  CHECK(tl_trace_load(path, err, sizeof err) == NULL);
  CHECK(strstr(err, "outside") != NULL);
  CHECK(truncate(path, 50) == 0);
  CHECK(tl_trace_load(path, err, sizeof err) == NULL);
  CHECK(tl_trace_save(tr, "/nonexistent/dir/x") == -1);
  unlink(path);
  tl_trace_destroy(tr);
}

int main(int argc, char **argv) {
  static const tl_test tests[] = {
      TL_TEST(test_concurrent_appends),
      TL_TEST(test_full),
      TL_TEST(test_strings_and_fork),
      TL_TEST(test_save_load),
      {NULL, NULL}};
  return tl_test_main(tests, argc, argv);
}
