#include "trace.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <time.h>

struct tl_trace {
  /* Shared between forked processes (the struct itself is in the mapping). */
  _Atomic uint64_t claimed;   /* sequence numbers handed out */
  _Atomic uint64_t lost;      /* STOP: events not recorded */
  _Atomic uint64_t pin_claimed, pin_lost;
  _Atomic uint64_t arena_used;
  _Atomic uint64_t gen;       /* clears */
  _Atomic uint64_t stream_pos; /* events the streaming writer has written */
  _Atomic int streaming;      /* appenders must not overtake stream_pos */
  _Atomic int mode;
  _Atomic uint32_t next_id;
  _Atomic int warned;          /* 1: the events ran full, 2: the text; said once each */
  _Atomic int pin_warned;
  int loaded;                 /* read from a file: nothing appends to it */
  _Atomic uint64_t kinds[64];
  uint64_t capacity, pin_capacity;
  uint64_t arena_bytes;
  size_t map_bytes;
  /* Offsets from the struct, not pointers: a spawned threadlab maps the
   * same pages at another address (tl_trace_attach). */
  uint64_t ev_off, pinned_off, arena_off;
  int fd;                     /* the memfd behind it (-1: none) */
};

#define TL__EV(tr) ((tl_event *)((char *)(tr) + (tr)->ev_off))
#define TL__PINNED(tr) ((tl_event *)((char *)(tr) + (tr)->pinned_off))
#define TL__ARENA(tr) ((char *)(tr) + (tr)->arena_off)

_Static_assert(TL_EV__COUNT <= 64, "kind counters");

tl_trace *tl_trace_global;

static const char *const tl__kind_names[] = {
#define TL__KIND_NAME(name, text) text,
    TL_EVENT_KINDS(TL__KIND_NAME)
#undef TL__KIND_NAME
};

const char *tl_event_kind_name(unsigned kind) {
  return kind < TL_EV__COUNT ? tl__kind_names[kind] : "?";
}

int tl_event_kind_has_text(unsigned kind) {
  switch (kind) {
    case TL_EV_THREAD_NEW: case TL_EV_LOCK_NEW: case TL_EV_PRINT:
    case TL_EV_MARK: case TL_EV_INTERRUPT: case TL_EV_DEADLOCK:
    case TL_EV_LESSON_STEP: case TL_EV_LOST_UPDATE: case TL_EV_PROC_NAME:
    case TL_EV_IO_WAIT: case TL_EV_IO_READY: case TL_EV_GREEN_NEW:
      return 1;
    default:
      return 0;
  }
}

int tl_event_has_text(const tl_event *e) {
  /* a green lane's wait for I/O names what it waits on (greenlib.c) */
  return tl_event_kind_has_text(e->kind) || (e->kind == TL_EV_GREEN_SWITCH && e->reason == 3);
}

int tl_event_pinned(unsigned kind, unsigned reason) {
  switch (kind) {
    case TL_EV_THREAD_NEW: case TL_EV_LOCK_NEW: case TL_EV_MARK: case TL_EV_DEADLOCK:
    case TL_EV_FORK: case TL_EV_TRACE_FULL: case TL_EV_DROPPED: case TL_EV_PROC_NAME:
    case TL_EV_REPARENT: case TL_EV_EXIT: case TL_EV_REAP: case TL_EV_GREEN_NEW:
      return 1;
    case TL_EV_LESSON_STEP:
      return reason != TL_LESSON_LINE; /* a line number a step: many, and passing */
    default:
      return 0;
  }
}

static size_t tl__align(size_t n) { return (n + 4095) & ~(size_t)4095; }

/* Far above the descriptors a program opens, so its first pipe gets the
 * number it would get without threadlab's shared files. */
#define TL__SHARED_FD_BASE 200

int tl_shared_memfd(const char *name, size_t bytes) {
  struct rlimit rl;
  int fd, high;
  /* a file past RLIMIT_FSIZE would be SIGXFSZ: anonymous memory then */
  if (getrlimit(RLIMIT_FSIZE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < bytes)
    return -1;
  if ((fd = memfd_create(name, MFD_CLOEXEC)) < 0) return -1;
  if (ftruncate(fd, (off_t)bytes) != 0) {
    close(fd);
    return -1;
  }
  high = fcntl(fd, F_DUPFD_CLOEXEC, TL__SHARED_FD_BASE);
  if (high >= 0) {
    close(fd);
    fd = high;
  }
  return fd;
}

void *tl_shared_map(const char *name, size_t bytes, int *fd) {
  void *p;
  if (*fd < 0) *fd = tl_shared_memfd(name, bytes);
  p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
           MAP_SHARED | MAP_NORESERVE | (*fd < 0 ? MAP_ANONYMOUS : 0), *fd, 0);
  if (p == MAP_FAILED) {
    int e = errno;
    if (*fd >= 0) close(*fd);
    *fd = -1;
    errno = e;
    return NULL;
  }
  return p;
}

void tl_shared_mutex_init(pthread_mutex_t *m) {
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_init(m, &a);
  pthread_mutexattr_destroy(&a);
}

tl_trace *tl_trace_create(size_t capacity, size_t arena_bytes) {
  size_t pins = capacity / 16 < 1024 ? 1024 : capacity / 16 > (1u << 20) ? (1u << 20) : capacity / 16;
  size_t head = tl__align(sizeof(tl_trace));
  size_t evb = tl__align(capacity * sizeof(tl_event));
  size_t pinb = tl__align(pins * sizeof(tl_event));
  size_t total = head + evb + pinb + tl__align(arena_bytes);
  char *base;
  tl_trace *tr;
  int fd;
  if (capacity < 2 || arena_bytes < 2) { errno = EINVAL; return NULL; }
  /* A memfd, so that a spawned threadlab (exec'd, not forked) can map the
   * same log; NORESERVE and a sparse file: a large log costs only the
   * pages a run really fills. */
  fd = tl_shared_memfd("threadlab-trace", total);
  base = mmap(NULL, total, PROT_READ | PROT_WRITE,
              MAP_SHARED | MAP_NORESERVE | (fd < 0 ? MAP_ANONYMOUS : 0), fd, 0);
  if (base == MAP_FAILED) {
    if (fd >= 0) close(fd);
    return NULL;
  }
  tr = (tl_trace *)base;
  tr->fd = fd;
  tr->capacity = capacity;
  tr->pin_capacity = pins;
  tr->arena_bytes = arena_bytes;
  tr->map_bytes = total;
  tr->ev_off = head;
  tr->pinned_off = head + evb;
  tr->arena_off = head + evb + pinb;
  atomic_store(&tr->arena_used, 1); /* offset 0 is the empty string */
  atomic_store(&tr->next_id, 1);
  return tr;
}

/* ---- fresh pages ahead of the appenders --------------------------------
 * The kernel allocates and zeroes a page of the log the first time it is
 * written: 3-4 us a 4 KB page (about 100 events) on a virtual machine, as
 * much as the switches those events record (the memfd's pages cannot be
 * huge pages: shared memory has none here). So a thread of the process
 * that made the log asks for the pages (MADV_POPULATE_WRITE, which writes
 * nothing) a little ahead of where appenders write, on another CPU when
 * there is one; it starts once the appenders have written a megabyte
 * and stays at most TL__AHEAD bytes ahead, so the log still costs only
 * the memory it holds, and that. Only the ring: the pinned events and
 * the text are small. */
#define TL__AHEAD (4u << 20)
#define TL__AHEAD_STEP (1u << 20)

static struct {
  tl_trace *tr;
  pthread_t th;
  pid_t pid;
  _Atomic int stop;
} tl__pf;

/* A nap that a stop cuts short: the exit (and :reset) waits for this
 * thread, and a log at rest naps up to a fifth of a second. */
static void tl__nap(unsigned us) {
  struct timespec ts = {(time_t)(us / 1000000u), (long)(us % 1000000u) * 1000};
  syscall(SYS_futex, &tl__pf.stop, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0);
}

static void *tl__prefault(void *arg) {
  tl_trace *tr = arg;
  char *ev = (char *)TL__EV(tr);
  size_t done = 0, end = tl__align(tr->capacity * sizeof(tl_event));
  uint64_t gen = atomic_load(&tr->gen), last = UINT64_MAX;
  unsigned nap = 100, still = 0;
  int broken = 0;
  while (!atomic_load_explicit(&tl__pf.stop, memory_order_acquire)) {
    uint64_t n = atomic_load_explicit(&tr->claimed, memory_order_relaxed);
    uint64_t g = atomic_load_explicit(&tr->gen, memory_order_relaxed);
    size_t at, want;
    if (g != gen) { /* cleared: its pages were given back */
      gen = g;
      done = 0;
    }
    at = n < tr->capacity ? (size_t)n * sizeof(tl_event) : end;
    want = at + TL__AHEAD < end ? at + TL__AHEAD : end;
    if (done < (at & ~(size_t)4095)) done = at & ~(size_t)4095; /* they went past on their own */
    /* (a log of less than a step is left alone: a short run pays nothing) */
    if (!broken && at >= TL__AHEAD_STEP && done < want &&
        (want - done >= TL__AHEAD_STEP || want == end)) {
      size_t len = want - done < TL__AHEAD_STEP ? tl__align(want - done) : TL__AHEAD_STEP;
      if (madvise(ev + done, len, MADV_POPULATE_WRITE) != 0) broken = 1;
      done += len;
      nap = 100;
      continue;
    }
    /* while appenders append, look often; a log at rest, seldom */
    still = n == last ? still + 1 : 0;
    last = n;
    tl__nap(nap);
    if (nap < (still > 200 ? 100000u : 2000u)) nap *= 2;
  }
  return NULL;
}

void tl_trace_prefault(tl_trace *tr) {
  sigset_t all, old;
  pthread_attr_t at;
  if (tl__pf.tr || tr->capacity * sizeof(tl_event) < 2 * TL__AHEAD_STEP) return;
  /* a kernel without MADV_POPULATE_WRITE (before 5.14): as before */
  if (madvise(TL__EV(tr), 4096, MADV_POPULATE_WRITE) != 0) return;
  atomic_store(&tl__pf.stop, 0);
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old); /* no signal for it to take */
  /* (it calls madvise and nanosleep only: a small stack) */
  pthread_attr_init(&at);
  pthread_attr_setstacksize(&at, 64 * 1024);
  if (pthread_create(&tl__pf.th, &at, tl__prefault, tr) == 0) {
    tl__pf.tr = tr;
    tl__pf.pid = getpid();
  }
  pthread_attr_destroy(&at);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void tl__prefault_stop(tl_trace *tr) {
  if (tl__pf.tr != tr) return;
  tl__pf.tr = NULL;
  if (tl__pf.pid != getpid()) return; /* a forked child: the thread is its parent's */
  atomic_store_explicit(&tl__pf.stop, 1, memory_order_release);
  syscall(SYS_futex, &tl__pf.stop, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
  pthread_join(tl__pf.th, NULL);
}

/* The fd field is the creator's: a process that attached has its own
 * number for the same file, and closes only its mapping. */
static tl_trace *tl__attached;

tl_trace *tl_trace_attach(int fd) {
  struct stat st;
  tl_trace *tr;
  if (fstat(fd, &st) != 0 || (size_t)st.st_size < sizeof(tl_trace)) return NULL;
  tr = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
  if (tr == MAP_FAILED) return NULL;
  if (tr->map_bytes != (size_t)st.st_size) {
    munmap(tr, (size_t)st.st_size);
    errno = EINVAL;
    return NULL;
  }
  return tl__attached = tr;
}

int tl_trace_fd(const tl_trace *tr) { return tr->fd; }

void tl_trace_destroy(tl_trace *tr) {
  int fd;
  if (!tr) return;
  tl_trace_stream_finish(tr);
  tl__prefault_stop(tr);
  fd = tr == tl__attached ? -1 : tr->fd;
  munmap(tr, tr->map_bytes);
  if (fd >= 0 && fcntl(fd, F_GETFD) >= 0) close(fd);
}

void tl_trace_set_mode(tl_trace *tr, int mode) { atomic_store(&tr->mode, mode); }
int tl_trace_mode(const tl_trace *tr) { return atomic_load(&((tl_trace *)tr)->mode); }
size_t tl_trace_capacity(const tl_trace *tr) { return (size_t)tr->capacity; }
uint64_t tl_trace_generation(const tl_trace *tr) { return atomic_load(&((tl_trace *)tr)->gen); }

void tl_trace_clear(tl_trace *tr) {
  uint64_t n = atomic_load(&tr->claimed), p = atomic_load(&tr->pin_claimed);
  unsigned k;
  tl_trace_stream_flush(tr);
  if (n > tr->capacity) n = tr->capacity;
  if (p > tr->pin_capacity) p = tr->pin_capacity;
  /* MADV_REMOVE gives the pages back (they read as zeros again): a cleared
   * ring costs no memory until it fills again. */
  if (madvise(TL__EV(tr), tl__align(n * sizeof(tl_event)), MADV_REMOVE) != 0)
    memset(TL__EV(tr), 0, n * sizeof(tl_event));
  if (madvise(TL__PINNED(tr), tl__align(p * sizeof(tl_event)), MADV_REMOVE) != 0)
    memset(TL__PINNED(tr), 0, p * sizeof(tl_event));
  atomic_store(&tr->claimed, 0);
  atomic_store(&tr->stream_pos, 0);
  atomic_store(&tr->lost, 0);
  atomic_store(&tr->pin_claimed, 0);
  atomic_store(&tr->pin_lost, 0);
  atomic_store(&tr->warned, 0);
  atomic_store(&tr->pin_warned, 0);
  atomic_store(&tr->arena_used, 1);
  for (k = 0; k < 64; k++) atomic_store(&tr->kinds[k], 0);
  atomic_fetch_add(&tr->gen, 1);
}

/* Every field is stored and loaded atomically (relaxed): a reader may copy
 * a slot while a writer reuses it, and must only ever see whole values. */
#define TL__ST(f, v) __atomic_store_n(&(f), (v), __ATOMIC_RELAXED)
#define TL__LD(f) __atomic_load_n(&(f), __ATOMIC_RELAXED)

static void tl__put(tl_event *e, uint64_t seq, uint64_t t, int32_t pid, uint32_t tid,
                    uint16_t kind, uint16_t reason, uint32_t obj, uint64_t arg) {
  TL__ST(e->kind, 0); /* the slot is being rewritten */
  atomic_thread_fence(memory_order_release);
  TL__ST(e->seq, (uint32_t)seq);
  TL__ST(e->aux, (uint32_t)(seq >> 32));
  TL__ST(e->t, t);
  TL__ST(e->arg, arg);
  TL__ST(e->pid, pid);
  TL__ST(e->tid, tid);
  TL__ST(e->obj, obj);
  TL__ST(e->reason, reason);
  __atomic_store_n(&e->kind, kind, __ATOMIC_RELEASE);
}

/* Copies the event with sequence number seq out of slot e: 1, or 0 when
 * the slot holds another event (not yet written, or reused). */
static int tl__get(const tl_event *e, uint64_t seq, tl_event *out) {
  uint16_t k = __atomic_load_n(&e->kind, __ATOMIC_ACQUIRE);
  if (k == 0 || TL__LD(e->seq) != (uint32_t)seq || TL__LD(e->aux) != (uint32_t)(seq >> 32))
    return 0;
  out->t = TL__LD(e->t);
  out->arg = TL__LD(e->arg);
  out->pid = TL__LD(e->pid);
  out->tid = TL__LD(e->tid);
  out->obj = TL__LD(e->obj);
  out->reason = TL__LD(e->reason);
  out->kind = k;
  out->seq = (uint32_t)seq;
  out->aux = (uint32_t)(seq >> 32);
  atomic_thread_fence(memory_order_acquire);
  return TL__LD(e->kind) == k && TL__LD(e->seq) == (uint32_t)seq &&
         TL__LD(e->aux) == (uint32_t)(seq >> 32);
}

/* A streaming writer behind by a whole ring: wait for it, briefly. */
static void tl__wait_stream(tl_trace *tr, uint64_t i) {
  int spins = 0;
  while (atomic_load_explicit(&tr->streaming, memory_order_acquire) &&
         i >= atomic_load_explicit(&tr->stream_pos, memory_order_acquire) + tr->capacity) {
    if (++spins < 64) {
      sched_yield();
    } else {
      struct timespec ts = {0, 50000};
      nanosleep(&ts, NULL);
    }
  }
}

static void tl__pin(tl_trace *tr, uint64_t i, uint64_t t, int32_t pid, uint32_t tid,
                    uint16_t kind, uint16_t reason, uint32_t obj, uint64_t arg) {
  uint64_t p = atomic_fetch_add_explicit(&tr->pin_claimed, 1, memory_order_relaxed);
  if (p >= tr->pin_capacity) {
    atomic_fetch_add_explicit(&tr->pin_lost, 1, memory_order_relaxed);
    if (!atomic_exchange(&tr->pin_warned, 1))
      fprintf(stderr, "threadlab: the trace's room for pinned events (names, lesson text, "
                      "marks) is full: it holds %llu (a 16th of --trace-size); older ones may "
                      "leave with the ring; --trace-size N keeps more\n",
              (unsigned long long)tr->pin_capacity);
    return;
  }
  tl__put(&TL__PINNED(tr)[p], i, t, pid, tid, kind, reason, obj, arg);
}

uint32_t tl_trace_emit(tl_trace *tr, uint64_t t, int32_t pid, uint32_t tid,
                       uint16_t kind, uint16_t reason, uint32_t obj,
                       uint64_t arg) {
  uint64_t i = atomic_fetch_add_explicit(&tr->claimed, 1, memory_order_relaxed);
  int pin = tl_event_pinned(kind, reason);
  atomic_fetch_add_explicit(&tr->kinds[kind < 64 ? kind : 0], 1, memory_order_relaxed);
  if (pin) tl__pin(tr, i, t, pid, tid, kind, reason, obj, arg); /* before the ring's copy */
  if (atomic_load_explicit(&tr->mode, memory_order_relaxed) == TL_TRACE_STOP) {
    if (i > tr->capacity - 1) {
      if (!pin) atomic_fetch_add_explicit(&tr->lost, 1, memory_order_relaxed);
      if (!(atomic_fetch_or(&tr->warned, 1) & 1))
        fprintf(stderr,
                "threadlab: the trace is full: it holds %llu events (--trace-size); later "
                "events are counted, not recorded; --trace-size N keeps more (or "
                "--trace-mode ring keeps the newest)\n",
                (unsigned long long)tr->capacity);
      return (uint32_t)i;
    }
    if (i == tr->capacity - 1) {
      /* The last slot says, in the trace itself, that the log ran full. */
      tl__put(&TL__EV(tr)[i], i, t, pid, tid, TL_EV_TRACE_FULL, 0, 0, 0);
      return (uint32_t)i;
    }
  } else if (i >= tr->capacity) {
    if (atomic_load_explicit(&tr->streaming, memory_order_relaxed))
      tl__wait_stream(tr, i);
    else if (i == tr->capacity) /* claimed by one appender: said once */
      fprintf(stderr,
              "threadlab: the trace is full: its ring keeps the newest %llu events "
              "(--trace-size), so the start of the run leaves the window and later "
              "recordings; --trace-size N keeps more (or --trace FILE keeps every event)\n",
              (unsigned long long)tr->capacity);
  }
  tl__put(&TL__EV(tr)[i % tr->capacity], i, t, pid, tid, kind, reason, obj, arg);
  return (uint32_t)i;
}

uint64_t tl_trace_str(tl_trace *tr, const char *s, size_t len) {
  uint64_t off;
  if (!s || len == 0) return 0;
  off = atomic_fetch_add_explicit(&tr->arena_used, len + 1, memory_order_relaxed);
  if (off + len + 1 > tr->arena_bytes) {
    atomic_fetch_sub_explicit(&tr->arena_used, len + 1, memory_order_relaxed);
    if (!(atomic_fetch_or(&tr->warned, 2) & 2))
      fprintf(stderr, "threadlab: the trace's text is full: it holds %llu MiB of names and "
                      "printed text (--trace-text); later text is not recorded;"
                      " --trace-text MB keeps more\n",
              (unsigned long long)(tr->arena_bytes >> 20));
    return 0;
  }
  memcpy(TL__ARENA(tr) + off, s, len);
  TL__ARENA(tr)[off + len] = '\0';
  return off;
}

const char *tl_trace_strat(const tl_trace *tr, uint64_t off) {
  uint64_t used = atomic_load_explicit(&((tl_trace *)tr)->arena_used, memory_order_acquire);
  if (off == 0 || off >= used || off >= tr->arena_bytes) return "";
  return TL__ARENA(tr) + off;
}

uint32_t tl_trace_new_id(tl_trace *tr) {
  return atomic_fetch_add_explicit(&tr->next_id, 1, memory_order_relaxed);
}

uint64_t tl_trace_total(const tl_trace *tr) { return atomic_load(&((tl_trace *)tr)->claimed); }
uint64_t tl_trace_lost(const tl_trace *tr) { return atomic_load(&((tl_trace *)tr)->lost); }

uint64_t tl_trace_dropped(const tl_trace *tr) {
  uint64_t n = tl_trace_total(tr);
  return tl_trace_mode(tr) == TL_TRACE_RING && n > tr->capacity ? n - tr->capacity : 0;
}

int tl_trace_oldest(const tl_trace *ctr, tl_event *out) {
  tl_trace *tr = (tl_trace *)ctr;
  int tries;
  for (tries = 0; tries < 8; tries++) {
    uint64_t n = atomic_load_explicit(&tr->claimed, memory_order_acquire);
    uint64_t lo = tl_trace_mode(tr) == TL_TRACE_RING && n > tr->capacity ? n - tr->capacity : 0;
    if (n == 0) return 0;
    /* the oldest may be being overwritten: the next one is as good */
    if (tl__get(&TL__EV(tr)[lo % tr->capacity], lo, out) ||
        (lo + 1 < n && tl__get(&TL__EV(tr)[(lo + 1) % tr->capacity], lo + 1, out)))
      return 1;
  }
  return 0;
}

uint64_t tl_trace_kind_count(const tl_trace *tr, unsigned kind) {
  return kind < 64 ? atomic_load(&((tl_trace *)tr)->kinds[kind]) : 0;
}

/* For the streaming writer (trace_file.c). */
void tl__trace_streaming(tl_trace *tr, int on, uint64_t pos);
void tl__trace_streaming(tl_trace *tr, int on, uint64_t pos) {
  if (pos != UINT64_MAX) atomic_store_explicit(&tr->stream_pos, pos, memory_order_release);
  if (on >= 0) atomic_store_explicit(&tr->streaming, on, memory_order_release);
}
void tl__trace_loaded(tl_trace *tr, uint64_t lost);
void tl__trace_loaded(tl_trace *tr, uint64_t lost) {
  atomic_store(&tr->lost, lost);
  tr->loaded = 1;
}
int tl_trace_loaded(const tl_trace *tr) { return tr->loaded; }

void tl_trace_reader_init(tl_trace_reader *r, const tl_trace *tr) {
  memset(r, 0, sizeof *r);
  r->gen = tl_trace_generation(tr);
}

/* A pinned event at index p, if published. */
static int tl__pinned_at(tl_trace *tr, uint64_t p, tl_event *out) {
  uint64_t n = atomic_load_explicit(&tr->pin_claimed, memory_order_acquire);
  const tl_event *e;
  if (p >= n || p >= tr->pin_capacity) return 0;
  e = &TL__PINNED(tr)[p];
  if (__atomic_load_n(&e->kind, __ATOMIC_ACQUIRE) == 0) return 0;
  return tl__get(e, (uint64_t)TL__LD(e->seq) | (uint64_t)TL__LD(e->aux) << 32, out);
}

static uint64_t tl__seq(const tl_event *e) { return (uint64_t)e->seq | (uint64_t)e->aux << 32; }

int tl_trace_read(const tl_trace *ctr, tl_trace_reader *r, tl_event *out) {
  tl_trace *tr = (tl_trace *)ctr;
  tl_event p;
  for (;;) {
    uint64_t claimed = atomic_load_explicit(&tr->claimed, memory_order_acquire);
    int stop = atomic_load_explicit(&tr->mode, memory_order_relaxed) == TL_TRACE_STOP;
    if (atomic_load_explicit(&tr->gen, memory_order_acquire) != r->gen) return -1;
    /* Pinned events of a gap come first, in their order. */
    if (r->pending && tl__pinned_at(tr, r->pin, &p) && tl__seq(&p) < r->next) {
      r->pin++;
      r->pending--;
      r->dropped--;
      r->last_drop = 0;
      *out = p;
      return 1;
    }
    if (stop && r->next >= tr->capacity) {
      /* Past a full log only pinned events were kept. */
      if (!tl__pinned_at(tr, r->pin, &p)) return 0;
      r->pin++;
      if (tl__seq(&p) < tr->capacity - 1) continue; /* read from the log already */
      r->last_drop = 0;
      *out = p;
      return 1;
    }
    if (r->next >= claimed) return 0;
    if (!tl__get(&TL__EV(tr)[r->next % tr->capacity], r->next, out)) {
      /* Not yet written (its appender is still at it), or reused by a
       * newer event: then what the ring holds now starts a ring back. */
      uint64_t c2 = atomic_load_explicit(&tr->claimed, memory_order_acquire);
      if (stop || r->whole || r->next + tr->capacity >= c2) return 0;
      r->pending += c2 - tr->capacity - r->next;
      r->dropped += c2 - tr->capacity - r->next;
      r->next = c2 - tr->capacity;
      continue;
    }
    if (tl_event_pinned(out->kind, out->reason))
      while (tl__pinned_at(tr, r->pin, &p) && tl__seq(&p) <= r->next) r->pin++;
    r->next++;
    r->last_drop = r->pending;
    r->pending = 0;
    return 1;
  }
}
