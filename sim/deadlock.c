/* The deadlock detector.
 *
 * The wait-for graph: a thread waiting for a Lock or RLock points at the
 * lock's holder; a thread in join() points at the thread it joins. An edge
 * appears only when a thread starts to wait, so a cycle is complete at the
 * moment the last of its threads starts to wait. That thread follows the
 * chain from itself (under the world mutex, where every wait is decided)
 * and finds the cycle then: at once, in either clock. Timed waits end by
 * themselves and are no edges; a primitive's internal locks are none either.
 *
 * A found cycle is reported once (a DEADLOCK event and a message), and its
 * threads stay blocked, the world frozen for inspection. They count as
 * daemon threads from then on, so exit does not wait for them forever.
 * MainThread learns of it as a DeadlockError from the lock or join wait
 * it is in (or starts later); at exit it is cut short.
 *
 * A plain Lock has no owner in Python (any thread may release it), so
 * waiting for a Lock this thread acquired itself, or one whose holder has
 * ended, is only warned about. An RLock whose holder ended never comes free.
 * The lock-order check is lockorder.c; threading._deadlock, deadlocklib.c. */
#include "locks.h"

#include <errno.h>
#include <lauxlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TL__PATH 64
#define TL__MSG 4096
#define TL__FOUND 16

static const char *tl__type(const tl_lockhdr *k) { return tl_obj_type_name(k->type); }

/* ---- the wait-for graph (world mutex held) ------------------------------ */

typedef struct tl__step {
  tl_thread *t;     /* this thread waits for */
  int kind;         /* TL_WAIT_LOCK: obj is a lock; TL_WAIT_JOIN: a thread */
  const void *obj;
} tl__step;

enum { TL__NONE, TL__SELF, TL__ENDED, TL__CYCLE, TL__HANG };

/* What MainThread will be told, and what was found so far (for :locks). */
static char tl__main_msg[TL__MSG];
/* The cycle through mp locks this process's threads wait in (mpgraph.c),
 * and the one MainThread was told of. */
static char tl__mp_msg[TL__MSG], tl__mp_told[TL__MSG];
static char *tl__found[TL__FOUND];
static int tl__main_told; /* MainThread got a DeadlockError it could catch */
static int tl__nfound;

/* Follows the graph from t, about to wait for (kind, obj). On TL__CYCLE
 * path[0..n) is the cycle; on TL__HANG path[loop..n) is a cycle t leads
 * to, or loop is -1: the chain ends at an RLock whose holder has ended. */
static int tl__walk(tl_thread *t, int kind, const void *obj, tl__step *path, int *n,
                    int *loop) {
  *n = 0;
  *loop = -1;
  for (;;) {
    tl_thread *next;
    int i;
    if (*n == TL__PATH) return TL__NONE;
    path[*n].t = t;
    path[*n].kind = kind;
    path[*n].obj = obj;
    (*n)++;
    if (kind == TL_WAIT_LOCK) {
      const tl_lockhdr *k = obj;
      if (!k || k->magic != TL_LOCK_MAGIC || k->internal || !k->count) return TL__NONE;
      if (!(next = k->owner)) return TL__NONE;
      if (next->ended) {
        if (k->type == TL_OBJ_RLOCK) return TL__HANG;
        return *n == 1 ? TL__ENDED : TL__NONE;
      }
    } else if (kind == TL_WAIT_JOIN) {
      next = (tl_thread *)obj;
      if (!next || next->ended) return TL__NONE;
    } else {
      return TL__NONE;
    }
    if (kind == TL_WAIT_LOCK && next == t && *n > 1)
      return TL__NONE; /* a Lock waited for by its own taker: another thread
                        * may release it (a Lock used as a signal) */
    if (next == path[0].t) {
      if (*n == 1) return kind == TL_WAIT_LOCK ? TL__SELF : TL__NONE;
      return TL__CYCLE;
    }
    for (i = 1; i < *n; i++)
      if (path[i].t == next) {
        *loop = i;
        return TL__HANG;
      }
    if (next->wait_timed || next->cancel) return TL__NONE;
    if (next->wait_kind != TL_WAIT_LOCK && next->wait_kind != TL_WAIT_JOIN) return TL__NONE;
    t = next;
    kind = next->wait_kind;
    obj = next->wait_obj;
  }
}

typedef struct tl__buf {
  char *s;
  size_t cap, n;
} tl__buf;

static void tl__add(tl__buf *b, const char *fmt, ...) {
  va_list ap;
  int w;
  if (b->n + 1 >= b->cap) return;
  va_start(ap, fmt);
  w = vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
  va_end(ap);
  if (w > 0) b->n += (size_t)w < b->cap - b->n ? (size_t)w : b->cap - b->n - 1;
}

static void tl__step_text(tl__buf *b, const tl__step *s) {
  if (s->kind == TL_WAIT_LOCK) {
    const tl_lockhdr *k = s->obj;
    tl__add(b, "\n  %s waits for %s %s, held by %s%s", s->t->name, tl__type(k), k->name,
            k->owner->name, k->owner->ended ? ", which has ended" : "");
  } else {
    tl__add(b, "\n  %s waits for %s to end (join)", s->t->name,
            ((const tl_thread *)s->obj)->name);
  }
}

/* "A and B", "A, B and C" */
static void tl__names(tl__buf *b, const tl__step *p, int from, int n) {
  int i;
  for (i = from; i < n; i++)
    tl__add(b, "%s%s", i == from ? "" : i == n - 1 ? " and " : ", ", p[i].t->name);
}

/* The message for a walk's result (without a "deadlock: " heading). */
static void tl__describe(tl__buf *b, const tl__step *p, int n, int res, int loop) {
  tl__step rot[TL__PATH] = {{0}};
  int i, first = 0;
  if (res == TL__CYCLE) {
    /* Told from the oldest thread on, whoever closed the cycle. */
    for (i = 1; i < n; i++)
      if (p[i].t->id < p[first].t->id) first = i;
    for (i = 0; i < n; i++) rot[i] = p[(first + i) % n];
    tl__names(b, rot, 0, n);
    tl__add(b, n == 2 ? " wait for each other:" : " wait for each other in a cycle:");
    for (i = 0; i < n; i++) tl__step_text(b, &rot[i]);
  } else if (loop > 0) {
    tl__add(b, "%s waits for ", p[0].t->name);
    tl__names(b, p, loop, n);
    tl__add(b, ", which wait for each other:");
    for (i = 0; i < n; i++) tl__step_text(b, &p[i]);
  } else {
    const tl_lockhdr *k = p[n - 1].obj;
    tl__add(b, "%s can never go on: %s %s is held by %s, which has ended, and only its "
               "owner can release an RLock:", p[0].t->name, tl__type(k), k->name,
            k->owner->name);
    for (i = 0; i < n; i++) tl__step_text(b, &p[i]);
  }
}

static void tl__remember(const char *msg) {
  if (tl__nfound < TL__FOUND) tl__found[tl__nfound++] = strdup(msg);
}

static void tl__emit_found(const char *msg, const tl__step *p, int from, int to) {
  uint64_t text;
  int i;
  if (!tl_trace_global) return;
  text = tl_trace_str(tl_trace_global, msg, strlen(msg));
  /* reason 0: the finding; then one event per edge, from the waiting
   * thread, about the lock (reason 1) or the joined thread (reason 2). */
  tl_emit(TL_EV_DEADLOCK, 0, 0, text);
  for (i = from; i < to; i++) {
    uint32_t obj = p[i].kind == TL_WAIT_LOCK ? ((const tl_lockhdr *)p[i].obj)->id
                                             : ((const tl_thread *)p[i].obj)->id;
    tl_trace_emit(tl_trace_global, tl_clock_now(), tl_W->pid, p[i].t->id, TL_EV_DEADLOCK,
                  p[i].kind == TL_WAIT_LOCK ? 1 : 2, obj, text);
  }
}

/* Marks the threads of path as deadlocked; 1 if one of them was not a
 * daemon (exit would have waited for it). */
static int tl__freeze(const tl__step *p, int n) {
  int i, newly = 0;
  for (i = 0; i < n; i++) {
    tl_thread *t = p[i].t;
    if (t == tl_W->main || t->frozen) continue;
    t->frozen = (uint8_t)(1 + (t->daemon != 0));
    if (!t->daemon) newly = 1;
    t->daemon = 1;
  }
  return newly;
}

void tl__deadlock_thaw(tl_thread *t) {
  t->mp_stuck = 0;
  if (!t->frozen) return;
  t->daemon = t->frozen - 1;
  t->frozen = 0;
}

/* Another thread found a deadlock: tells MainThread if it waits on it (1),
 * or waits at exit for a thread that now never ends (2). */
static int tl__tell_main(const tl_thread *self, const char *msg, int newly) {
  tl_thread *m = tl_W->main;
  tl__step path[TL__PATH];
  int n, loop, res;
  if (!m || m == self || m->ended || m->cancel) return 0;
  if (m->wait_kind == TL_WAIT_JOIN && !m->wait_obj) {
    if (!newly) return 0;
    snprintf(tl__main_msg, sizeof tl__main_msg, "%s", msg);
    tl__cancel(m, TL_CANCEL_DEADLOCK);
    return 2;
  }
  if ((m->wait_kind != TL_WAIT_LOCK && m->wait_kind != TL_WAIT_JOIN) || m->wait_timed)
    return 0;
  res = tl__walk(m, m->wait_kind, m->wait_obj, path, &n, &loop);
  if (res != TL__CYCLE && res != TL__HANG) return 0;
  {
    tl__buf b = { tl__main_msg, sizeof tl__main_msg, 0 };
    tl__main_msg[0] = 0;
    tl__describe(&b, path, n, res, loop);
  }
  tl__freeze(path, n);
  tl__cancel(m, TL_CANCEL_DEADLOCK);
  return 1;
}

static int tl__check(tl_thread *self, int kind, const void *obj, uint64_t deadline);

int tl__deadlock_before_wait(tl_thread *self, int kind, const void *obj,
                             uint64_t deadline) {
  int r, saved_kind = self->wait_kind;
  const void *saved_obj = self->wait_obj;
  /* Seen from another thread's chain, this one already waits. */
  self->wait_kind = kind;
  self->wait_obj = obj;
  r = tl__check(self, kind, obj, deadline);
  self->wait_kind = saved_kind;
  self->wait_obj = saved_obj;
  return r;
}

static int tl__check(tl_thread *self, int kind, const void *obj, uint64_t deadline) {
  static char msg[TL__MSG];
  tl__step path[TL__PATH];
  tl__buf b = { msg, sizeof msg, 0 };
  int n, loop, res, newly, told, fresh;
  self->wait_timed = deadline != 0;
  if (deadline || self->cancel) return 0;
  if (kind == TL_WAIT_JOIN && obj && ((const tl_thread *)obj)->mp_stuck) {
    /* it waits in a cycle of mp locks, found before this join began */
    if (self != tl_W->main) return 0;
    snprintf(tl__main_msg, sizeof tl__main_msg, "%s", tl__mp_msg);
    snprintf(tl__mp_told, sizeof tl__mp_told, "%s", tl__mp_msg);
    self->cancel = TL_CANCEL_DEADLOCK;
    return ECANCELED;
  }
  res = tl__walk(self, kind, obj, path, &n, &loop);
  if (res == TL__NONE) return 0;
  if (res == TL__SELF || res == TL__ENDED) {
    tl_lockhdr *k = (tl_lockhdr *)obj;
    if (!(k->warned & res)) {
      char w[256];
      k->warned |= (uint8_t)res;
      if (res == TL__SELF)
        snprintf(w, sizeof w, "threadlab: warning: %s waits for Lock %s, which it acquired "
                 "itself; only another thread can release it\n", self->name, k->name);
      else if (k->owner->forked_away)
        snprintf(w, sizeof w, "threadlab: warning: %s waits for Lock %s, which %s held when "
                 "this process was forked; %s does not exist in this child, so the lock "
                 "stays locked here (a lock held across fork)\n", self->name, k->name,
                 k->owner->name, k->owner->name);
      else
        snprintf(w, sizeof w, "threadlab: warning: %s waits for Lock %s, held by %s, which "
                 "has ended; only another thread can release it\n", self->name, k->name,
                 k->owner->name);
      tl_write_out(1, w, strlen(w));
    }
    return 0;
  }
  msg[0] = 0;
  tl__describe(&b, path, n, res, loop);
  /* A new deadlock: a cycle just closed, or an RLock that never comes free
   * (told once, not for every waiter). Else this thread only joins the
   * threads stuck on one already told. */
  fresh = res == TL__CYCLE;
  if (res == TL__HANG && loop < 0) {
    tl_lockhdr *k = (tl_lockhdr *)path[n - 1].obj;
    fresh = !(k->warned & 4);
    k->warned |= 4;
  }
  if (fresh) tl__remember(msg);
  tl__emit_found(msg, path, 0, res == TL__HANG && loop > 0 ? loop : n);
  newly = tl__freeze(path, n);
  if (self == tl_W->main) {
    memcpy(tl__main_msg, msg, sizeof msg);
    if (self->cancel < TL_CANCEL_DEADLOCK) self->cancel = TL_CANCEL_DEADLOCK;
    return ECANCELED;
  }
  told = tl__tell_main(self, msg, newly);
  if (told == 1 || (told == 0 && !fresh)) return 0;
  {
    size_t len = strlen(msg);
    char *out = malloc(len + 32);
    if (out) {
      snprintf(out, len + 32, "threadlab: deadlock: %s\n", msg);
      tl_write_out(1, out, strlen(out));
      free(out);
    }
  }
  return 0;
}

/* Freezes t, found in a cycle of mp locks; 1 if MainThread joins it (and
 * is now told). */
static int tl__mp_freeze(tl_thread *t, const char *msg, int *newly) {
  tl__step p = {t, TL_WAIT_INPUT, NULL};
  tl_thread *m = tl_W->main;
  *newly |= tl__freeze(&p, 1);
  t->mp_stuck = 1;
  if (!m || m->wait_kind != TL_WAIT_JOIN || m->wait_obj != t || m->cancel) return 0;
  snprintf(tl__main_msg, sizeof tl__main_msg, "%s", msg);
  tl__cancel(m, TL_CANCEL_DEADLOCK);
  return 1;
}

int tl__deadlock_mp(const char *msg, const uint32_t *others, int nothers) {
  tl_thread *self = tl__self, *m = tl_W->main, *t;
  int told = 0, newly = 0, i;
  if (!self) return 1;
  tl_mutex_lock(&tl_W->mu);
  snprintf(tl__mp_msg, sizeof tl__mp_msg, "%s", msg); /* for joins begun later */
  if (self == m) told = 1;
  /* MainThread is told once of a cycle, whichever of its threads learns
   * of it first */
  if (strcmp(tl__mp_told, msg) == 0 && !told) told = 2;
  if (self != m && tl__mp_freeze(self, msg, &newly) && !told) told = 2;
  for (i = 0; i < nothers; i++)
    for (t = tl_W->live; t; t = t->next)
      if (t->id == others[i] && t != m && tl__mp_freeze(t, msg, &newly) && !told) told = 2;
  if (!told && tl__tell_main(self, msg, newly)) told = 2;
  /* exit, if it waits, now waits for fewer threads */
  if (m && m->wait_kind == TL_WAIT_JOIN && !m->wait_obj && !m->cancel) tl__wake(m);
  if (told) snprintf(tl__mp_told, sizeof tl__mp_told, "%s", msg);
  tl_mutex_unlock(&tl_W->mu);
  return told;
}

void tl_deadlock_after_wait(lua_State *L) {
  tl_thread *self = tl__self;
  char msg[TL__MSG];
  int found = 0;
  if (!self) return;
  tl_mutex_lock(&tl_W->mu);
  tl__deadlock_thaw(self);
  if (self->cancel == TL_CANCEL_DEADLOCK) {
    self->cancel = TL_CANCEL_NONE;
    memcpy(msg, tl__main_msg, sizeof msg);
    found = 1;
  }
  tl_mutex_unlock(&tl_W->mu);
  if (found) {
    tl__main_told = 1;
    /* A hang is no deadlock: its own class, a DeadlockError all the same. */
    if (strncmp(msg, "hang: ", 6) == 0) tl_raise(L, "HangError", "%s", msg + 6);
    tl_raise(L, "DeadlockError", "%s", msg);
  }
  tl_check_cancel(L);
}

int tl__deadlock_main_told(void) { return tl__main_told; }

/* The virtual clock found that nothing can ever run again (vclock.c):
 * MainThread learns it as a HangError (a DeadlockError), as it learns of a
 * cycle. */
void tl__deadlock_report_hang(const char *msg) {
  snprintf(tl__main_msg, sizeof tl__main_msg, "%s", msg);
  tl__remember(msg);
  tl__cancel(tl_W->main, TL_CANCEL_DEADLOCK);
}

const char *tl__deadlock_main_msg(void) { return tl__main_msg; }

/* Names a lock a thread waits for, for the hang report ("Lock K, held by
 * MainThread"). */
static int tl__describe_lock(int kind, const void *obj, char *buf, size_t n, int hang) {
  static const char *const words[2][TL_WHY__COUNT] = {
    { "a notify",
#define TL__WHY_WORDS(name, key, live, dead) live,
      TL_WAIT_WHYS(TL__WHY_WORDS)
#undef TL__WHY_WORDS
    },
    { "a notify nobody can send",
#define TL__WHY_WORDS(name, key, live, dead) dead,
      TL_WAIT_WHYS(TL__WHY_WORDS)
#undef TL__WHY_WORDS
    },
  };
  const tl_lockhdr *k = obj;
  if (kind != TL_WAIT_LOCK || k->magic != TL_LOCK_MAGIC) return 0;
  if (k->internal) { /* a primitive's waiter lock: what it waits for, and where */
    const char *w = words[hang != 0][k->why < TL_WHY__COUNT ? k->why : 0];
    if (k->why && strcmp(k->name, "internal") != 0)
      return snprintf(buf, n, "%s (%s)", w, k->name);
    return snprintf(buf, n, "%s", w);
  }
  if (k->owner)
    return snprintf(buf, n, "%s %s, held by %s", tl__type(k), k->name, k->owner->name);
  return snprintf(buf, n, "%s %s", tl__type(k), k->name);
}


int tl__deadlock_nfound(void) { return tl__nfound; }
const char *tl__deadlock_found(int i) { return i >= 0 && i < tl__nfound ? tl__found[i] : NULL; }

/* Forgets what the last world found (a fresh world). */
void tl__deadlock_reset(void) {
  int i;
  tl__describe_obj = tl__describe_lock;
  tl__main_told = 0;
  for (i = 0; i < tl__nfound; i++) free(tl__found[i]);
  tl__nfound = 0;
  tl__main_msg[0] = 0;
  tl__mp_msg[0] = tl__mp_told[0] = 0;
}
