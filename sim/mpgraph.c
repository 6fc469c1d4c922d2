/* The wait-for graph across processes. See mpgraph.h.
 *
 * One MAP_SHARED table made at start-up, before any fork, so every process
 * of the run reads and writes the same one: a slot per mp Lock or RLock
 * (its name, its holder as "Process/Thread" and the holder's key, pid and
 * thread id) and a slot per thread waiting for one (its key and what it
 * waits for). A semaphore's own page (ipc.c) is no place for this: a lock
 * made in one child is mapped in no other, yet a walk from any process
 * must read it.
 *
 * The fast path (an uncontended acquire or release) writes the holder under
 * the semaphore's own mutex and nothing else. Only a thread about to block
 * takes the graph's process-shared mutex, joins the lock's waiters and
 * walks: lock -> holder -> the lock the holder waits for -> ... A release
 * takes the graph's mutex too when the lock has waiters, so no lock of a
 * chain being walked changes hands under the walker: a cycle found is one
 * that stands. As for threads (deadlock.c) a cycle is complete when its
 * last thread starts to wait, so that thread finds it, at once. */
#include "mpgraph.h"

#include "engine.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define TL__LOCKS 4096
#define TL__WAITERS 512
#define TL__FOUND 8
#define TL__PATH 64
#define TL__QNAME 112

typedef struct tl__mlock {
  _Atomic int live;        /* 0 a free slot, 1 a lock, 2 forgotten by its maker */
  uint32_t id;
  int type;
  int32_t maker;           /* the real pid that made it */
  _Atomic uint64_t holder; /* real pid << 32 | thread id; 0 free */
  int32_t holder_pid;      /* as the program sees it */
  uint32_t holder_tid;
  char holder_name[TL__QNAME];
  _Atomic int nwaiters;
  char name[48];
} tl__mlock;

typedef struct tl__mwaiter {
  _Atomic uint64_t key;    /* real pid << 32 | thread id; 0 a free slot */
  int lock;                /* the lock slot it waits for */
  int32_t pid;             /* as the program sees it */
  uint32_t tid;
  int main;                /* its process's MainThread */
  _Atomic int told;        /* a cycle it waits in was found: found[told - 1] */
  char name[TL__QNAME];
} tl__mwaiter;

typedef struct tl__mtable {
  pthread_mutex_t mu;
  _Atomic int nlocks;      /* slots used so far */
  _Atomic int nfound;
  tl__mlock lock[TL__LOCKS];
  tl__mwaiter w[TL__WAITERS];
  char found[TL__FOUND][2048];
} tl__mtable;

static tl__mtable *tl__G;
static int tl__G_fd = -1; /* a memfd: a spawned threadlab maps it too */
/* This process's real pid: getpid() is a system call, and every acquire
 * writes its holder's key. */
static int32_t tl__pid;
static void tl__after_fork(void) { tl__pid = (int32_t)getpid(); }
/* This thread's waiter slot while it waits, else -1. */
static _Thread_local int tl__mine = -1;

int tl_mpgraph_init(void) {
  if (tl__G) return 0;
  if (!(tl__G = tl_shared_map("threadlab-mpgraph", sizeof *tl__G, &tl__G_fd))) return -1;
  /* robust: a process killed while it walks must not stop every other one */
  tl_shared_mutex_init(&tl__G->mu);
  tl__pid = (int32_t)getpid();
  pthread_atfork(NULL, NULL, tl__after_fork);
  return 0;
}

int tl_mpgraph_fd(void) { return tl__G_fd; }

/* A spawned threadlab joins the graph of its parent's run. */
int tl_mpgraph_attach(int fd) {
  void *g = mmap(NULL, sizeof *tl__G, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
  if (g == MAP_FAILED) return -1;
  tl__G = g;
  tl__G_fd = fd;
  tl__pid = (int32_t)getpid();
  pthread_atfork(NULL, NULL, tl__after_fork);
  return 0;
}

void tl__mpg_lock(void) {
  if (pthread_mutex_lock(&tl__G->mu) == EOWNERDEAD) pthread_mutex_consistent(&tl__G->mu);
}
void tl__mpg_unlock(void) { pthread_mutex_unlock(&tl__G->mu); }

void tl__mpg_reset(void) {
  if (!tl__G || tl_proc_is_child()) return;
  tl__mpg_lock();
  memset(tl__G->lock, 0, sizeof tl__G->lock);
  memset(tl__G->w, 0, sizeof tl__G->w);
  atomic_store(&tl__G->nlocks, 0);
  atomic_store(&tl__G->nfound, 0);
  tl__mpg_unlock();
  tl__mine = -1;
}

static uint64_t tl__key(void) {
  return (uint64_t)(uint32_t)tl__pid << 32 | (tl__self ? tl__self->id : 0);
}

/* "Process-1/Thread-2 (work)": who, in which process. */
static void tl__qname(char *buf, size_t n) {
  snprintf(buf, n, "%s/%s", tl_proc_name(), tl__self && tl__self->name ? tl__self->name : "?");
}

int tl__mpg_new(int type, const char *name, uint32_t *id, char *out, size_t n) {
  int slot;
  tl__mlock *k;
  *id = tl_trace_global ? tl_trace_new_id(tl_trace_global) : 0;
  if (name) snprintf(out, n, "%s", name);
  else snprintf(out, n, "%s-%u", tl_obj_type_name((unsigned)type), *id);
  if (tl_trace_global)
    tl_emit(TL_EV_LOCK_NEW, (uint16_t)type, *id, tl_trace_str(tl_trace_global, out, strlen(out)));
  if (!tl__G || (slot = atomic_fetch_add(&tl__G->nlocks, 1)) >= TL__LOCKS) return -1;
  k = &tl__G->lock[slot];
  k->id = *id;
  k->type = type;
  k->maker = tl__pid;
  snprintf(k->name, sizeof k->name, "%s", out);
  atomic_store(&k->live, 1);
  return slot;
}

uint32_t tl__mpg_id(int slot) { return tl__G->lock[slot].id; }

void tl__mpg_forget(int slot) {
  tl__mlock *k = &tl__G->lock[slot];
  if (k->maker == tl__pid && !atomic_load(&k->holder) && !atomic_load(&k->nwaiters))
    atomic_store(&k->live, 2);
}

/* The holder's name is copied on every acquire; its text is made once a
 * thread (or after a rename). */
void tl__mpg_took(int slot) {
  static _Thread_local char q[TL__QNAME];
  static _Thread_local const char *q_of;
  static _Thread_local int32_t q_pid; /* a forked child's thread has its copy */
  tl__mlock *k = &tl__G->lock[slot];
  if (!tl__self || q_of != tl__self->name || q_pid != tl_proc_self_pid() || !q[0]) {
    tl__qname(q, sizeof q);
    q_of = tl__self ? tl__self->name : NULL;
    q_pid = tl_proc_self_pid();
  }
  memcpy(k->holder_name, q, sizeof q);
  k->holder_pid = tl_proc_self_pid();
  k->holder_tid = tl__self ? tl__self->id : 0;
  atomic_store(&k->holder, tl__key());
}

void tl__mpg_freed(int slot) { atomic_store(&tl__G->lock[slot].holder, 0); }

int tl__mpg_has_waiters(int slot) { return atomic_load(&tl__G->lock[slot].nwaiters) > 0; }

static int tl__alive(uint64_t key);

/* A free waiter slot: one never used, or (all taken) one whose process was
 * killed while it waited. */
static int tl__free_waiter(void) {
  int i, pass;
  for (pass = 0; pass < 2; pass++)
    for (i = 0; i < TL__WAITERS; i++) {
      tl__mwaiter *w = &tl__G->w[i];
      uint64_t key = atomic_load(&w->key);
      if (!key) return i;
      if (pass && !tl__alive(key)) {
        atomic_fetch_sub(&tl__G->lock[w->lock].nwaiters, 1);
        atomic_store(&w->key, 0);
        return i;
      }
    }
  return -1;
}

void tl__mpg_enqueue(int slot) {
  int i = tl__free_waiter();
  if (i >= 0) {
    tl__mwaiter *w = &tl__G->w[i];
    w->lock = slot;
    w->pid = tl_proc_self_pid();
    w->tid = tl__self ? tl__self->id : 0;
    w->main = tl__self && tl__self == tl_W->main;
    atomic_store(&w->told, 0);
    tl__qname(w->name, sizeof w->name);
    atomic_store(&w->key, tl__key());
    atomic_fetch_add(&tl__G->lock[slot].nwaiters, 1);
    tl__mine = i;
  }
  /* else more waiters than slots: this one waits outside the graph */
}

void tl__mpg_dequeue(void) {
  tl__mwaiter *w;
  if (tl__mine < 0) return;
  w = &tl__G->w[tl__mine];
  tl__mpg_lock();
  atomic_fetch_sub(&tl__G->lock[w->lock].nwaiters, 1);
  atomic_store(&w->key, 0);
  tl__mpg_unlock();
  tl__mine = -1;
}

int tl__mpg_told(const char **msg) {
  int f;
  if (tl__mine < 0 || !(f = atomic_load(&tl__G->w[tl__mine].told))) return 0;
  *msg = tl__G->found[(f - 1) % TL__FOUND];
  return 1;
}

/* Whether a process of the run still runs (a killed one's waits are over;
 * a zombie's too). */
static int tl__alive(uint64_t key) {
  pid_t pid = (pid_t)(key >> 32);
  char st;
  if (pid == tl__pid) return 1;
  st = tl_proc_state((int32_t)pid);
  return st != 0 && st != 'Z' && st != 'X';
}

static int tl__waiter_of(uint64_t key) {
  int i;
  for (i = 0; i < TL__WAITERS; i++)
    if (atomic_load(&tl__G->w[i].key) == key) return tl__alive(key) ? i : -1;
  return -1;
}

static void tl__add(char *buf, size_t n, size_t *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void tl__add(char *buf, size_t n, size_t *at, const char *fmt, ...) {
  va_list ap;
  int w;
  if (*at + 1 >= n) return;
  va_start(ap, fmt);
  w = vsnprintf(buf + *at, n - *at, fmt, ap);
  va_end(ap);
  if (w > 0) *at += (size_t)w < n - *at ? (size_t)w : n - *at - 1;
}

/* The message, as deadlock.c words a cycle of threads: told from the
 * oldest process's thread on, whoever closed it. */
static void tl__describe(const int *path, int len, char *msg, size_t n) {
  size_t at = 0;
  int first = 0, i;
  for (i = 1; i < len; i++) {
    const tl__mwaiter *a = &tl__G->w[path[i]], *b = &tl__G->w[path[first]];
    if (a->pid < b->pid || (a->pid == b->pid && a->tid < b->tid)) first = i;
  }
  msg[0] = 0;
  for (i = 0; i < len; i++)
    tl__add(msg, n, &at, "%s%s", i == 0 ? "" : i == len - 1 ? " and " : ", ",
            tl__G->w[path[(first + i) % len]].name);
  tl__add(msg, n, &at, len == 2 ? " wait for each other:" : " wait for each other in a cycle:");
  for (i = 0; i < len; i++) {
    const tl__mwaiter *w = &tl__G->w[path[(first + i) % len]];
    const tl__mlock *k = &tl__G->lock[w->lock];
    tl__add(msg, n, &at, "\n  %s waits for %s %s, held by %s", w->name,
            tl_obj_type_name((unsigned)k->type), k->name, k->holder_name);
  }
}

/* The finding (reason 0, from this thread) and one DEADLOCK event per
 * edge, from each waiting thread's own process and lane, about its lock:
 * the views draw the cycle across processes. */
static void tl__trace(const int *path, int len, const char *msg) {
  uint64_t text;
  int i;
  if (!tl_trace_global) return;
  text = tl_trace_str(tl_trace_global, msg, strlen(msg));
  tl_emit(TL_EV_DEADLOCK, 0, 0, text);
  for (i = 0; i < len; i++) {
    const tl__mwaiter *w = &tl__G->w[path[i]];
    tl_trace_emit(tl_trace_global, tl_clock_now(), w->pid, w->tid, TL_EV_DEADLOCK, 1,
                  tl__G->lock[w->lock].id, text);
  }
}

int tl__mpg_walk(char *msg, size_t n, int *someone_main, uint32_t *mine, int *nmine) {
  int path[TL__PATH], len = 0, i, f;
  uint64_t me = tl__key();
  if (tl__mine < 0) return 0;
  path[len++] = tl__mine;
  for (;;) {
    const tl__mlock *k = &tl__G->lock[tl__G->w[path[len - 1]].lock];
    uint64_t h = atomic_load(&k->holder);
    int next;
    if (!h) return 0;
    if (h == me) {
      if (len == 1) return 0; /* a plain Lock it took itself: another may release it */
      break;
    }
    if ((next = tl__waiter_of(h)) < 0 || len == TL__PATH) return 0;
    for (i = 1; i < len; i++)
      if (path[i] == next) return 0; /* a cycle it leads to, told when it closed */
    path[len++] = next;
  }
  tl__describe(path, len, msg, n);
  f = atomic_fetch_add(&tl__G->nfound, 1);
  snprintf(tl__G->found[f % TL__FOUND], sizeof tl__G->found[0], "%s", msg);
  *someone_main = 0;
  *nmine = 0;
  for (i = 0; i < len; i++) {
    *someone_main |= tl__G->w[path[i]].main;
    if (i > 0 && (int32_t)(tl__G->w[path[i]].key >> 32) == tl__pid)
      mine[(*nmine)++] = tl__G->w[path[i]].tid;
    atomic_store(&tl__G->w[path[i]].told, f + 1);
  }
  tl__trace(path, len, msg);
  return 1;
}

/* ---- for :locks and :threads -------------------------------------------- */

static int tl__stuck(uint64_t key) {
  int w = key ? tl__waiter_of(key) : -1;
  return w >= 0 && atomic_load(&tl__G->w[w].told) != 0;
}

int tl__mpg_row(int i, tl_mpg_row *row) {
  int s, seen = -1, nl;
  if (!tl__G) return 0;
  nl = atomic_load(&tl__G->nlocks);
  for (s = 0; s < nl && s < TL__LOCKS; s++) {
    const tl__mlock *k = &tl__G->lock[s];
    int j;
    if (atomic_load(&k->live) != 1 || ++seen != i) continue;
    memset(row, 0, sizeof *row);
    snprintf(row->name, sizeof row->name, "%s", k->name);
    snprintf(row->type, sizeof row->type, "%s", tl_obj_type_name((unsigned)k->type));
    row->id = k->id;
    if (atomic_load(&k->holder)) {
      row->count = 1;
      snprintf(row->holder, sizeof row->holder, "%s", k->holder_name);
      row->holder_stuck = tl__stuck(atomic_load(&k->holder));
      row->holder_ended = !tl__alive(atomic_load(&k->holder));
    }
    for (j = 0; j < TL__WAITERS && row->nwaiters < 8; j++) {
      const tl__mwaiter *w = &tl__G->w[j];
      uint64_t key = atomic_load(&w->key);
      if (!key || w->lock != s || !tl__alive(key)) continue;
      snprintf(row->waiter[row->nwaiters], sizeof row->waiter[0], "%s", w->name);
      row->waiter_stuck[row->nwaiters++] = atomic_load(&w->told) != 0;
    }
    return 1;
  }
  return 0;
}

const char *tl__mpg_found(int i) {
  int n = tl__G ? atomic_load(&tl__G->nfound) : 0;
  if (i < 0 || i >= n || i >= TL__FOUND) return NULL;
  return tl__G->found[n > TL__FOUND ? (n - TL__FOUND + i) % TL__FOUND : i];
}

int tl__mpg_waits(int32_t pid, uint32_t tid, char *buf, size_t n) {
  int i;
  if (!tl__G) return 0;
  for (i = 0; i < TL__WAITERS; i++) {
    const tl__mwaiter *w = &tl__G->w[i];
    const tl__mlock *k;
    if (!atomic_load(&w->key) || w->pid != pid || w->tid != tid) continue;
    k = &tl__G->lock[w->lock];
    if (atomic_load(&k->holder))
      snprintf(buf, n, "%s %s, held by %s%s", tl_obj_type_name((unsigned)k->type), k->name,
               k->holder_name, atomic_load(&w->told) ? " (deadlocked)" : "");
    else
      snprintf(buf, n, "%s %s", tl_obj_type_name((unsigned)k->type), k->name);
    return 1;
  }
  return 0;
}
