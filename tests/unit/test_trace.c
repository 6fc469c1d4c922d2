/* The trace log: concurrent lock-free appends lose nothing, a full log says
 * so (STOP) or keeps the newest (RING) with pinned events kept and the gap
 * reported, strings survive, forked children append, a saved or streamed
 * trace loads back (and a bad, old or cut one does not), a stream keeps
 * more events than the ring holds, and a write error leaves the older file
 * alone. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "trace.h"

#include "check.h"

#define NTHREADS 4
#define PER_THREAD 50000

static tl_trace *tr;

static uint64_t seq_of(const tl_event *e) { return (uint64_t)e->seq | (uint64_t)e->aux << 32; }

static void *writer(void *arg) {
  uint32_t tid = (uint32_t)(uintptr_t)arg;
  for (uint32_t i = 0; i < PER_THREAD; i++)
    tl_trace_emit(tr, i, 1, tid, i % 7 ? TL_EV_SLEEP_END : TL_EV_SLEEP, 0, i, 0);
  return NULL;
}

/* A reader running while writers append: it sees each writer's events in
 * its order, whole. */
static void *reader_thread(void *arg) {
  uint32_t *seen = arg;
  tl_trace_reader r;
  tl_event e;
  uint64_t got = 0;
  tl_trace_reader_init(&r, tr);
  while (got < NTHREADS * PER_THREAD) {
    if (tl_trace_read(tr, &r, &e) != 1) continue;
    got++;
    if (e.tid >= 1 && e.tid <= NTHREADS) {
      if (e.obj != seen[e.tid]) {
        CHECK(e.obj == seen[e.tid]);
        break;
      }
      seen[e.tid]++;
    }
  }
  return NULL;
}

static void test_concurrent_appends(void) {
  pthread_t th[NTHREADS], rd;
  uint32_t seen[NTHREADS + 1] = {0};
  size_t i;
  tr = tl_trace_create(NTHREADS * PER_THREAD + 10, 4096);
  pthread_create(&rd, NULL, reader_thread, seen);
  for (i = 0; i < NTHREADS; i++) pthread_create(&th[i], NULL, writer, (void *)(uintptr_t)(i + 1));
  for (i = 0; i < NTHREADS; i++) pthread_join(th[i], NULL);
  pthread_join(rd, NULL);
  for (i = 1; i <= NTHREADS; i++) CHECK(seen[i] == PER_THREAD);
  CHECK(tl_trace_total(tr) == NTHREADS * PER_THREAD);
  CHECK(tl_trace_lost(tr) == 0 && tl_trace_dropped(tr) == 0);
  CHECK(tl_trace_kind_count(tr, TL_EV_SLEEP) == NTHREADS * (PER_THREAD / 7 + 1));
  tl_trace_destroy(tr);
}

static void test_stop_mode(void) {
  int fd[2];
  char buf[256] = "";
  tl_trace_reader r;
  tl_event e, last;
  size_t n = 0;
  memset(&last, 0, sizeof last);
  tr = tl_trace_create(10, 4096);
  tl_trace_set_mode(tr, TL_TRACE_STOP);
  /* The warning goes to stderr: catch it. */
  CHECK(pipe(fd) == 0);
  int saved = dup(2);
  dup2(fd[1], 2);
  for (int i = 0; i < 25; i++) tl_trace_emit(tr, i, 1, 1, TL_EV_SLEEP, 0, 0, 0);
  tl_trace_emit(tr, 30, 1, 1, TL_EV_DEADLOCK, 0, 0, tl_trace_str(tr, "cycle", 5));
  fflush(stderr);
  dup2(saved, 2);
  close(fd[1]);
  CHECK(read(fd[0], buf, sizeof buf - 1) > 0);
  CHECK(strstr(buf, "trace is full") != NULL);
  tl_trace_reader_init(&r, tr);
  while (tl_trace_read(tr, &r, &e) == 1) {
    if (n == 9) CHECK(e.kind == TL_EV_TRACE_FULL);
    last = e;
    n++;
  }
  CHECK(n == 11); /* 9 + the full marker + the pinned deadlock after it */
  CHECK(last.kind == TL_EV_DEADLOCK && strcmp(tl_trace_strat(tr, last.arg), "cycle") == 0);
  CHECK(tl_trace_lost(tr) == 15);
  tl_trace_destroy(tr);
}

static void test_ring_mode(void) {
  tl_trace_reader r;
  tl_event e;
  uint64_t n = 0, marks = 0, drops = 0, first_ring = 0;
  tr = tl_trace_create(100, 1 << 16);
  tl_trace_emit(tr, 0, 1, 1, TL_EV_THREAD_NEW, 0, 1, tl_trace_str(tr, "MainThread", 10));
  for (int i = 1; i <= 1000; i++) {
    if (i % 100 == 0) tl_trace_emit(tr, i, 1, 1, TL_EV_MARK, 0, 0, tl_trace_str(tr, "m", 1));
    else tl_trace_emit(tr, i, 1, 1, TL_EV_SLEEP, 0, 0, 0);
  }
  CHECK(tl_trace_total(tr) == 1001);
  CHECK(tl_trace_dropped(tr) == 901);
  CHECK(tl_trace_lost(tr) == 0);
  tl_trace_reader_init(&r, tr);
  while (tl_trace_read(tr, &r, &e) == 1) {
    if (n == 0) CHECK(e.kind == TL_EV_THREAD_NEW); /* pinned: outlives the ring */
    if (e.kind == TL_EV_MARK) marks++;
    if (r.last_drop) drops += r.last_drop, first_ring = seq_of(&e);
    n++;
  }
  CHECK(marks == 10);     /* every mark, the 9 dropped from the ring too */
  CHECK(first_ring == 901); /* the ring's oldest */
  CHECK(drops + n == 1001);
  CHECK(n == 100 + 1 + 9);
  CHECK(tl_trace_kind_count(tr, TL_EV_SLEEP) == 990);
  /* A reader that began before a clear is told to begin again. */
  tl_trace_clear(tr);
  CHECK(tl_trace_read(tr, &r, &e) == -1);
  tl_trace_destroy(tr);
}

static void test_strings_and_fork(void) {
  uint64_t off;
  pid_t pid;
  int status;
  tl_trace_reader r;
  tl_event e;
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
  tl_trace_reader_init(&r, tr);
  CHECK(tl_trace_read(tr, &r, &e) == 1);
  CHECK(strcmp(tl_trace_strat(tr, e.arg), "child") == 0);
  CHECK(tl_trace_read(tr, &r, &e) == 0);
  CHECK(tl_trace_new_id(tr) != tl_trace_new_id(tr));
  tl_trace_destroy(tr);
}

static int dump_has(const char *path, const char *needle) {
  char *buf = NULL, err[256];
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  int rc = tl_trace_dump_file(path, f, err, sizeof err);
  fclose(f);
  rc = rc == 0 && strstr(buf, needle) != NULL;
  free(buf);
  return rc;
}

static void test_save_load(void) {
  char path[] = "/tmp/tl_trace_testXXXXXX", err[256];
  int fd = mkstemp(path);
  tl_trace *back;
  tl_trace_reader r;
  tl_event e;
  FILE *f;
  close(fd);
  tr = tl_trace_create(100, 4096);
  tl_trace_emit(tr, 10, 7, 1, TL_EV_THREAD_NEW, 0, 1, tl_trace_str(tr, "MainThread", 10));
  tl_trace_emit(tr, 20, 7, 1, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  CHECK(tl_trace_save(tr, path, err, sizeof err) == 0);
  back = tl_trace_load(path, 0, 0, 0, err, sizeof err);
  CHECK(back != NULL);
  if (back) {
    tl_trace_reader_init(&r, back);
    CHECK(tl_trace_read(back, &r, &e) == 1 && strcmp(tl_trace_strat(back, e.arg), "MainThread") == 0);
    CHECK(tl_trace_read(back, &r, &e) == 1 && e.t == 20 && e.pid == 7);
    CHECK(tl_trace_read(back, &r, &e) == 0);
    tl_trace_destroy(back);
  }
  CHECK(dump_has(path, "# 2 events, 0 lost, 0 dropped"));
  /* Hostile inputs: a text offset pointing far away, a bad kind, an older
   * format, a cut file. Header 32 bytes, then STRS (16 + 12), then EVTS. */
  f = fopen(path, "r+b");
  fseek(f, 32 + 16 + 12 + 16 + 8, SEEK_SET); /* the first event's arg */
  uint64_t far = 1u << 30;
  fwrite(&far, sizeof far, 1, f);
  fclose(f);
  CHECK(tl_trace_load(path, 0, 0, 0, err, sizeof err) == NULL);
  CHECK(strstr(err, "outside") != NULL);
  f = fopen(path, "r+b");
  fseek(f, 32 + 16 + 12 + 16 + 32, SEEK_SET); /* its kind */
  uint16_t bad = 0x7fff;
  fwrite(&bad, sizeof bad, 1, f);
  fclose(f);
  CHECK(tl_trace_load(path, 0, 0, 0, err, sizeof err) == NULL);
  CHECK(strstr(err, "unknown kind") != NULL);
  f = fopen(path, "r+b");
  fwrite("TLTRACE1", 8, 1, f);
  fclose(f);
  CHECK(tl_trace_load(path, 0, 0, 0, err, sizeof err) == NULL);
  CHECK(strstr(err, "older threadlab") != NULL);
  CHECK(tl_trace_save(tr, path, err, sizeof err) == 0);
  CHECK(truncate(path, 100) == 0);
  CHECK(tl_trace_load(path, 0, 0, 0, err, sizeof err) == NULL);
  CHECK(strstr(err, "truncated") != NULL);
  CHECK(tl_trace_save(tr, "/nonexistent/dir/x", err, sizeof err) == -1);
  CHECK(strstr(err, "/nonexistent/dir/x") != NULL);
  unlink(path);
  tl_trace_destroy(tr);
}

/* A ring of 1,000 streams 200,000 events whole; the file loads into a
 * smaller ring (the newest kept) or whole. */
static void test_stream(void) {
  char path[] = "/tmp/tl_stream_testXXXXXX", part[64], err[256];
  int fd = mkstemp(path);
  tl_trace *back;
  tl_trace_reader r;
  tl_event e;
  uint64_t n = 0, i;
  close(fd);
  unlink(path);
  snprintf(part, sizeof part, "%s.part", path);
  tr = tl_trace_create(1000, 1 << 20);
  CHECK(tl_trace_stream_start(tr, path, err, sizeof err) == 0);
  CHECK(access(part, F_OK) == 0 && access(path, F_OK) != 0);
  tl_trace_emit(tr, 0, 1, 1, TL_EV_THREAD_NEW, 0, 1, tl_trace_str(tr, "MainThread", 10));
  for (i = 1; i < 200000; i++) tl_trace_emit(tr, i, 1, 1, TL_EV_SLEEP, 0, (uint32_t)i, 0);
  CHECK(tl_trace_stream_finish(tr) == 0);
  CHECK(access(part, F_OK) != 0 && access(path, F_OK) == 0);
  CHECK(dump_has(path, "# 200000 events, 0 lost, 0 dropped"));
  back = tl_trace_load(path, 0, 0, 0, err, sizeof err);
  CHECK(back != NULL);
  if (back) {
    tl_trace_reader_init(&r, back);
    while (tl_trace_read(back, &r, &e) == 1) {
      if (e.kind == TL_EV_SLEEP && e.obj != n) break;
      n++;
    }
    CHECK(n == 200000);
    tl_trace_destroy(back);
  }
  back = tl_trace_load(path, 5000, 0, 0, err, sizeof err);
  CHECK(back != NULL);
  if (back) {
    n = 0;
    tl_trace_reader_init(&r, back);
    while (tl_trace_read(back, &r, &e) == 1) {
      if (n == 0) CHECK(e.kind == TL_EV_THREAD_NEW);
      if (n == 1) CHECK(r.last_drop == 195000 - 1 && e.t == 195000);
      n++;
    }
    CHECK(n == 5001);
    tl_trace_destroy(back);
  }
  /* --from/--to: a window of the file, and the pinned events */
  back = tl_trace_load(path, 0, 1000, 2000, err, sizeof err);
  CHECK(back != NULL && tl_trace_total(back) == 1001);
  tl_trace_destroy(back);
  /* a :reset while streaming: the file says so, and a loader shows the
   * session after it (a dump shows both) */
  tl_trace_clear(tr);
  CHECK(tl_trace_stream_start(tr, path, err, sizeof err) == 0);
  tl_trace_emit(tr, 7, 1, 1, TL_EV_SLEEP, 0, 1, 0);
  tl_trace_clear(tr);
  tl_trace_emit(tr, 9, 1, 1, TL_EV_SLEEP_END, 0, 2, 0);
  CHECK(tl_trace_stream_finish(tr) == 0);
  CHECK(dump_has(path, "# :reset"));
  CHECK(dump_has(path, "# 2 events, 0 lost, 0 dropped"));
  back = tl_trace_load(path, 0, 0, 0, err, sizeof err);
  CHECK(back != NULL);
  if (back) {
    tl_trace_reader_init(&r, back);
    CHECK(tl_trace_read(back, &r, &e) == 1 && e.kind == TL_EV_SLEEP_END && e.t == 9);
    CHECK(tl_trace_read(back, &r, &e) == 0);
    tl_trace_destroy(back);
  }
  unlink(path);
  tl_trace_destroy(tr);
}

/* The disk fills during a stream: one message, appenders go on, finish
 * says it failed, the older file is untouched and no .part is left. */
static void test_stream_error(void) {
  char path[] = "/tmp/tl_stream_errXXXXXX", part[64], err[256], buf[16] = "";
  int fd = mkstemp(path), status;
  pid_t pid;
  FILE *f;
  CHECK(write(fd, "old trace", 9) == 9);
  close(fd);
  snprintf(part, sizeof part, "%s.part", path);
  pid = fork();
  if (pid == 0) {
    struct rlimit rl = {100000, 100000}; /* 100 kB: the "disk" */
    int out[2];
    char msg[1024] = "";
    ssize_t k;
    signal(SIGXFSZ, SIG_IGN);
    setrlimit(RLIMIT_FSIZE, &rl);
    if (pipe(out) != 0) _exit(10);
    dup2(out[1], 2);
    tr = tl_trace_create(1000, 1 << 20);
    if (tl_trace_stream_start(tr, path, err, sizeof err) != 0) _exit(11);
    for (uint32_t i = 0; i < 300000; i++) tl_trace_emit(tr, i, 1, 1, TL_EV_SLEEP, 0, i, 0);
    if (tl_trace_total(tr) != 300000) _exit(12);
    if (tl_trace_stream_finish(tr) != -1) _exit(13);
    close(out[1]);
    k = read(out[0], msg, sizeof msg - 1);
    if (k <= 0 || !strstr(msg, "cannot write the trace") || strstr(strstr(msg, "cannot") + 1, "cannot write"))
      _exit(14); /* exactly one message */
    _exit(0);
  }
  waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  f = fopen(path, "rb");
  CHECK(f && fread(buf, 1, 9, f) == 9 && strcmp(buf, "old trace") == 0);
  if (f) fclose(f);
  CHECK(access(part, F_OK) != 0);
  unlink(path);
}

/* The memory the log's file holds now (its pages), in bytes. */
static long long held(const tl_trace *t) {
  struct stat st;
  return fstat(tl_trace_fd(t), &st) == 0 ? (long long)st.st_blocks * 512 : -1;
}

/* Waits (up to 2 s) until the log holds at least `bytes`. */
static long long held_at_least(const tl_trace *t, long long bytes) {
  long long h = held(t);
  int i;
  for (i = 0; i < 400 && h < bytes; i++) {
    struct timespec ts = {0, 5000000};
    nanosleep(&ts, NULL);
    h = held(t);
  }
  return h;
}

/* Once the appenders have written a megabyte, the ring's pages are asked
 * for ahead of them (3 to 4 MB: a megabyte at a time), and no further: a
 * big log still costs only what it holds, and that; a short one nothing. */
static void test_prefault(void) {
  const long long mb = 1 << 20, ahead = 4 * mb, slack = 1 * mb; /* header, pinned, text */
  long long h;
  uint32_t i;
  tr = tl_trace_create(1000000, 1 << 20); /* 40 MB of ring */
  CHECK(tr != NULL);
  if (!tr) return;
  CHECK(held(tr) < slack);
  tl_trace_prefault(tr);
  for (i = 0; i < 1000; i++) /* a short run: nothing asked for ahead */
    tl_trace_emit(tr, i, 1, 1, TL_EV_SLEEP, 0, i, 0);
  {
    struct timespec ts = {0, 100000000};
    nanosleep(&ts, NULL);
  }
  CHECK(held(tr) < slack);
  for (i = 0; i < 200000; i++) /* 8 MB of events */
    tl_trace_emit(tr, i, 1, 1, TL_EV_SLEEP, 0, i, 0);
  h = held_at_least(tr, 200000 * (long long)sizeof(tl_event) + ahead - mb);
  CHECK(h >= 200000 * (long long)sizeof(tl_event) + ahead - mb);
  CHECK(h <= 200000 * (long long)sizeof(tl_event) + ahead + slack);
  tl_trace_destroy(tr); /* ends the thread */
  tr = NULL;
}

int main(int argc, char **argv) {
  static const tl_test tests[] = {
      TL_TEST(test_concurrent_appends),
      TL_TEST(test_stop_mode),
      TL_TEST(test_ring_mode),
      TL_TEST(test_strings_and_fork),
      TL_TEST(test_save_load),
      TL_TEST(test_stream),
      TL_TEST(test_stream_error),
      TL_TEST(test_prefault),
      {NULL, NULL}};
  return tl_test_main(tests, argc, argv);
}
