/* The deadlock detector and the lock-order check.
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
 *
 * The lock order: each thread keeps the locks it holds; taking Y while
 * holding X records "X before Y", and when another thread is seen taking
 * them the other way round, a warning names both orders (once a pair). */
#include "locks.h"

#include <errno.h>
#include <lauxlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TL__LOCKS "threadlab.locks"
#define TL__PATH 64
#define TL__MSG 4096
#define TL__FOUND 16
#define TL__EDGES_MAX (1u << 16)
#define TL__ORDER_DEPTH 32

/* ---- lock order (GIL held) --------------------------------------------- */

typedef struct tl__order {
  uint64_t key;   /* first lock's id << 32 | second's; 0 = an empty slot */
  uint32_t tid;   /* the first thread seen taking them in this order */
  uint8_t warned;
  char tname[TL_LOCK_NAME];
} tl__order;

static tl__order *tl__orders;
static size_t tl__ocap, tl__on;

static size_t tl__slot(uint64_t key, size_t cap) {
  key *= 0x9e3779b97f4a7c15u;
  return (size_t)(key ^ (key >> 31)) & (cap - 1);
}

static tl__order *tl__order_find(uint64_t key) {
  size_t i;
  if (!tl__ocap) return NULL;
  for (i = tl__slot(key, tl__ocap); tl__orders[i].key; i = (i + 1) & (tl__ocap - 1))
    if (tl__orders[i].key == key) return &tl__orders[i];
  return NULL;
}

static int tl__orders_grow(void) {
  size_t cap = tl__ocap ? tl__ocap * 2 : 64, i, j;
  tl__order *t;
  if (cap > TL__EDGES_MAX) return -1;
  t = calloc(cap, sizeof *t);
  if (!t) return -1;
  for (i = 0; i < tl__ocap; i++) {
    if (!tl__orders[i].key) continue;
    for (j = tl__slot(tl__orders[i].key, cap); t[j].key; j = (j + 1) & (cap - 1)) {}
    t[j] = tl__orders[i];
  }
  free(tl__orders);
  tl__orders = t;
  tl__ocap = cap;
  return 0;
}

static tl__order *tl__order_add(uint64_t key) {
  tl__order *e = tl__order_find(key);
  size_t i;
  if (e) return e;
  if ((tl__on + 1) * 2 > tl__ocap && tl__orders_grow() != 0) return NULL;
  for (i = tl__slot(key, tl__ocap); tl__orders[i].key; i = (i + 1) & (tl__ocap - 1)) {}
  tl__orders[i].key = key;
  tl__on++;
  return &tl__orders[i];
}

static const char *tl__type(const tl_lockhdr *k) {
  return tl_obj_type_name(k->type);
}

/* t, holding x, has just taken y. */
static void tl__order_seen(const tl_lockhdr *x, const tl_lockhdr *y, const tl_thread *t) {
  tl__order *e, *back;
  char msg[512];
  if (x == y || !x->id || !y->id) return;
  e = tl__order_add((uint64_t)x->id << 32 | y->id);
  if (!e) return; /* too many pairs to follow: keep what there is */
  if (!e->tid) {
    e->tid = t->id;
    snprintf(e->tname, sizeof e->tname, "%s", t->name);
  }
  back = tl__order_find((uint64_t)y->id << 32 | x->id);
  if (!back || back->tid == t->id || e->warned || back->warned) return;
  e->warned = back->warned = 1;
  snprintf(msg, sizeof msg,
           "threadlab: warning: lock order: %s took %s %s then %s %s, but %s took "
           "%s %s then %s %s; run at the same time, they can deadlock\n",
           t->name, tl__type(x), x->name, tl__type(y), y->name, back->tname,
           tl__type(y), y->name, tl__type(x), x->name);
  tl_write_out(1, msg, strlen(msg));
}

void tl__held_add(tl_lockhdr *k, tl_thread *t) {
  tl_lockhdr *x;
  int depth = 0;
  if (k->held_by) return;
  for (x = t->held; x && depth < TL__ORDER_DEPTH; x = x->hnext, depth++)
    tl__order_seen(x, k, t);
  k->hprev = NULL;
  k->hnext = t->held;
  if (k->hnext) k->hnext->hprev = k;
  t->held = k;
  k->held_by = t;
}

void tl__held_remove(tl_lockhdr *k) {
  tl_thread *t = k->held_by;
  if (!t) return;
  if (k->hprev) k->hprev->hnext = k->hnext;
  else t->held = k->hnext;
  if (k->hnext) k->hnext->hprev = k->hprev;
  k->hnext = k->hprev = NULL;
  k->held_by = NULL;
}

void tl__locks_register(lua_State *L, int idx, uint32_t id) {
  if (!id) return;
  idx = lua_absindex(L, idx);
  if (lua_getfield(L, LUA_REGISTRYINDEX, TL__LOCKS) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "v");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, TL__LOCKS);
  }
  lua_pushvalue(L, idx);
  lua_rawseti(L, -2, id);
  lua_pop(L, 1);
}

/* ---- the wait-for graph (world mutex held) ------------------------------ */

typedef struct tl__step {
  tl_thread *t;     /* this thread waits for */
  int kind;         /* TL_WAIT_LOCK: obj is a lock; TL_WAIT_JOIN: a thread */
  const void *obj;
} tl__step;

enum { TL__NONE, TL__SELF, TL__ENDED, TL__CYCLE, TL__HANG };

/* What MainThread will be told, and what was found so far (for :locks). */
static char tl__main_msg[TL__MSG];
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
  tl__step rot[TL__PATH];
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
    tl_raise(L, "DeadlockError", "%s", msg);
  }
  tl_check_cancel(L);
}

int tl__deadlock_main_told(void) { return tl__main_told; }

/* ---- threading._deadlock: what :locks shows ---------------------------- */

static int tl__cmp_id(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

static void tl__thread_field(lua_State *L, const char *key, const char *name, int ended,
                             int frozen) {
  lua_createtable(L, 0, 3);
  lua_pushstring(L, name);
  lua_setfield(L, -2, "name");
  lua_pushboolean(L, ended);
  lua_setfield(L, -2, "ended");
  lua_pushboolean(L, frozen);
  lua_setfield(L, -2, "deadlocked");
  if (key) lua_setfield(L, -2, key);
}

/* locks() -> {{name=, type=, id=, count=, holder={name=, ended=,
 * deadlocked=} or nil, waiters={{name=, ...}, ...}}, ...}, oldest first */
static int f_locks(lua_State *L) {
  enum { WMAX = 16 };
  uint32_t *ids = NULL;
  size_t n = 0, cap = 0, i;
  int row = 0;
  lua_newtable(L);
  if (lua_getfield(L, LUA_REGISTRYINDEX, TL__LOCKS) != LUA_TTABLE) {
    lua_pop(L, 1);
    return 1;
  }
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    if (lua_isinteger(L, -2)) {
      if (n == cap) {
        uint32_t *more = realloc(ids, (cap = cap ? cap * 2 : 64) * sizeof *ids);
        if (!more) {
          lua_pop(L, 2);
          break;
        }
        ids = more;
      }
      ids[n++] = (uint32_t)lua_tointeger(L, -2);
    }
    lua_pop(L, 1);
  }
  if (n) qsort(ids, n, sizeof *ids, tl__cmp_id);
  for (i = 0; i < n; i++) {
    tl_lockhdr *k;
    char holder[TL_LOCK_NAME] = "", waiters[WMAX][TL_LOCK_NAME];
    int wended[WMAX], wfrozen[WMAX], nw = 0, count, hended = 0, hfrozen = 0, j;
    tl_thread *w;
    lua_rawgeti(L, -1, (lua_Integer)ids[i]);
    k = lua_touserdata(L, -1);
    if (!k || k->magic != TL_LOCK_MAGIC) {
      lua_pop(L, 1);
      continue;
    }
    tl_mutex_lock(&tl_W->mu);
    count = k->count;
    if (count && k->owner) {
      snprintf(holder, sizeof holder, "%s", k->owner->name);
      hended = k->owner->ended;
      hfrozen = k->owner->frozen != 0;
    }
    for (w = k->waiters; w && nw < WMAX; w = w->wnext, nw++) {
      snprintf(waiters[nw], sizeof waiters[nw], "%s", w->name);
      wended[nw] = w->ended;
      wfrozen[nw] = w->frozen != 0;
    }
    tl_mutex_unlock(&tl_W->mu);
    lua_createtable(L, 0, 6);
    lua_pushstring(L, k->name);
    lua_setfield(L, -2, "name");
    lua_pushstring(L, tl__type(k));
    lua_setfield(L, -2, "type");
    lua_pushinteger(L, k->id);
    lua_setfield(L, -2, "id");
    lua_pushinteger(L, count);
    lua_setfield(L, -2, "count");
    if (holder[0]) tl__thread_field(L, "holder", holder, hended, hfrozen);
    lua_createtable(L, nw, 0);
    for (j = 0; j < nw; j++) {
      tl__thread_field(L, NULL, waiters[j], wended[j], wfrozen[j]);
      lua_rawseti(L, -2, j + 1);
    }
    lua_setfield(L, -2, "waiters");
    lua_rawseti(L, -4, ++row);
    lua_pop(L, 1); /* the lock */
  }
  free(ids);
  lua_pop(L, 1);
  return 1;
}

/* found() -> the deadlocks found so far, as messages */
static int f_found(lua_State *L) {
  int i, n;
  tl_mutex_lock(&tl_W->mu);
  n = tl__nfound;
  tl_mutex_unlock(&tl_W->mu);
  lua_createtable(L, n, 0);
  for (i = 0; i < n; i++) {
    lua_pushstring(L, tl__found[i]);
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

/* Opened once per world: forgets what the last world found. */
/* The virtual clock found that nothing can ever run again (vclock.c):
 * MainThread learns it as a DeadlockError, as it learns of a cycle. */
void tl__deadlock_report_hang(const char *msg) {
  snprintf(tl__main_msg, sizeof tl__main_msg, "%s", msg);
  tl__remember(msg);
  tl__cancel(tl_W->main, TL_CANCEL_DEADLOCK);
}

const char *tl__deadlock_main_msg(void) { return tl__main_msg; }

/* Names a lock a thread waits for, for the hang report ("Lock K, held by
 * MainThread"). */
static int tl__describe_lock(int kind, const void *obj, char *buf, size_t n) {
  const tl_lockhdr *k = obj;
  if (kind != TL_WAIT_LOCK || k->magic != TL_LOCK_MAGIC) return 0;
  if (k->internal) /* a Condition's waiter lock: the thread waits for a notify */
    return snprintf(buf, n, "a notify (it waits in a Condition, Event, Semaphore or queue)");
  if (k->owner)
    return snprintf(buf, n, "%s %s, held by %s", tl__type(k), k->name, k->owner->name);
  return snprintf(buf, n, "%s %s", tl__type(k), k->name);
}

int luaopen_tl_deadlock(lua_State *L) {
  static const luaL_Reg lib[] = {
    { "locks", f_locks },
    { "found", f_found },
    { NULL,    NULL    }
  };
  int i;
  tl__describe_obj = tl__describe_lock;
  tl__main_told = 0;
  for (i = 0; i < tl__nfound; i++) free(tl__found[i]);
  tl__nfound = 0;
  free(tl__orders);
  tl__orders = NULL;
  tl__ocap = tl__on = 0;
  tl__main_msg[0] = 0;
  luaL_newlib(L, lib);
  return 1;
}
