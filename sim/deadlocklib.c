/* threading._deadlock: what :locks shows (every live Lock and RLock, its
 * holder and waiters, then every process's mp Lock and RLock) and the
 * deadlocks found (deadlock.c, mpgraph.c); what :threads shows of the
 * run's other processes. */
#include "locks.h"
#include "mpgraph.h"

#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TL__LOCKS "threadlab.locks"

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

static void tl__mp_rows(lua_State *L);

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
    tl__mp_rows(L);
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
    lua_pushstring(L, tl_obj_type_name(k->type));
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
  tl__mp_rows(L);
  return 1;
}

/* The locks of multiprocessing, every process's (mpgraph.c), appended to
 * the rows of locks() in the same shape. */
static void tl__mp_rows(lua_State *L) {
  tl_mpg_row r;
  int i, j, row = (int)lua_rawlen(L, -1);
  for (i = 0; tl__mpg_row(i, &r); i++) {
    lua_createtable(L, 0, 6);
    lua_pushstring(L, r.name);
    lua_setfield(L, -2, "name");
    lua_pushstring(L, r.type);
    lua_setfield(L, -2, "type");
    lua_pushinteger(L, r.id);
    lua_setfield(L, -2, "id");
    lua_pushinteger(L, r.count);
    lua_setfield(L, -2, "count");
    if (r.holder[0]) tl__thread_field(L, "holder", r.holder, r.holder_ended, r.holder_stuck);
    lua_createtable(L, r.nwaiters, 0);
    for (j = 0; j < r.nwaiters; j++) {
      tl__thread_field(L, NULL, r.waiter[j], 0, r.waiter_stuck[j]);
      lua_rawseti(L, -2, j + 1);
    }
    lua_setfield(L, -2, "waiters");
    lua_rawseti(L, -2, ++row);
  }
}

/* found() -> the deadlocks found so far, as messages: this process's,
 * then those through multiprocessing's locks, whichever process found them */
static int f_found(lua_State *L) {
  int i, n;
  const char *mp;
  tl_mutex_lock(&tl_W->mu);
  n = tl__deadlock_nfound();
  tl_mutex_unlock(&tl_W->mu);
  lua_createtable(L, n, 0);
  for (i = 0; i < n; i++) {
    lua_pushstring(L, tl__deadlock_found(i));
    lua_rawseti(L, -2, i + 1);
  }
  for (i = 0; (mp = tl__mpg_found(i)); i++) {
    lua_pushstring(L, mp);
    lua_rawseti(L, -2, ++n);
  }
  return 1;
}

/* others() -> {{pid=, tid=, name=, doing=}, ...}: the live threads of the
 * run's other processes, for :threads. Their threads live in their own
 * address spaces; the trace every process appends to has them (names,
 * ends, what each did last), and the shared graph what lock each waits
 * for. */
typedef struct tl__other {
  int32_t pid;
  uint32_t tid;
  uint16_t last;
  uint8_t ended;
  uint64_t name;
} tl__other;

static const char *tl__doing(uint16_t kind) {
  switch (kind) {
  case TL_EV_SLEEP: return "sleeping";
  case TL_EV_LOCK_REQUEST: return "waiting for a lock";
  case TL_EV_JOIN: return "joining";
  case TL_EV_COND_WAIT: case TL_EV_EVENT_WAIT: case TL_EV_BARRIER_WAIT: return "waiting";
  case TL_EV_QUEUE_BLOCK: return "waiting on a queue";
  case TL_EV_IO_WAIT: return "waiting for I/O";
  case TL_EV_GIL_REQUEST: return "ready (wants the GIL)";
  default: return "running";
  }
}

/* The row of (pid, tid), made if new; -1 when out of memory. */
static long tl__other_at(tl__other **o, size_t *n, size_t *cap, int32_t pid, uint32_t tid) {
  size_t i;
  for (i = 0; i < *n; i++)
    if ((*o)[i].pid == pid && (*o)[i].tid == tid) return (long)i;
  if (*n == *cap) {
    tl__other *more = realloc(*o, (*cap = *cap ? *cap * 2 : 16) * sizeof **o);
    if (!more) return -1;
    *o = more;
  }
  memset(&(*o)[*n], 0, sizeof **o);
  (*o)[*n].pid = pid;
  (*o)[*n].tid = tid;
  return (long)(*n)++;
}

static int f_others(lua_State *L) {
  tl__other *o = NULL;
  size_t n = 0, cap = 0, i;
  int32_t me = tl_proc_self_pid();
  tl_trace_reader r;
  tl_event e;
  long k;
  int row = 0;
  lua_newtable(L);
  if (!tl_trace_global) return 1;
  tl_trace_reader_init(&r, tl_trace_global);
  while (tl_trace_read(tl_trace_global, &r, &e) == 1) {
    if (e.pid == me) continue;
    if (e.kind == TL_EV_EXIT) { /* the whole process */
      for (i = 0; i < n; i++)
        if (o[i].pid == e.pid) o[i].ended = 1;
      continue;
    }
    /* a thread's birth is told by its maker: obj is the new thread */
    if (e.kind == TL_EV_THREAD_NEW) {
      if ((k = tl__other_at(&o, &n, &cap, e.pid, e.obj)) < 0) break;
      o[k].name = e.arg;
      o[k].ended = 0;
      continue;
    }
    if (!e.tid || e.kind == TL_EV_PRINT || e.kind == TL_EV_GIL_RELEASE ||
        e.kind == TL_EV_GIL_ACQUIRE || e.kind == TL_EV_THREAD_START)
      continue;
    if ((k = tl__other_at(&o, &n, &cap, e.pid, e.tid)) < 0) break;
    if (e.kind == TL_EV_THREAD_END) o[k].ended = 1;
    else o[k].last = e.kind;
  }
  for (i = 0; i < n; i++) {
    char waits[200];
    if (o[i].ended || !o[i].name) continue;
    lua_createtable(L, 0, 4);
    lua_pushinteger(L, o[i].pid);
    lua_setfield(L, -2, "pid");
    lua_pushinteger(L, o[i].tid);
    lua_setfield(L, -2, "tid");
    lua_pushstring(L, tl_trace_strat(tl_trace_global, o[i].name));
    lua_setfield(L, -2, "name");
    if (tl__mpg_waits(o[i].pid, o[i].tid, waits, sizeof waits))
      lua_pushfstring(L, "waiting for %s", waits);
    else
      lua_pushstring(L, tl__doing(o[i].last));
    lua_setfield(L, -2, "doing");
    lua_rawseti(L, -2, ++row);
  }
  free(o);
  return 1;
}

/* Opened once per world: forgets what the last world found. */
int luaopen_tl_deadlock(lua_State *L) {
  static const luaL_Reg lib[] = {
    { "locks",  f_locks  },
    { "found",  f_found  },
    { "others", f_others },
    { NULL,     NULL     }
  };
  tl__deadlock_reset();
  tl__lock_order_reset();
  tl__mpg_reset();
  luaL_newlib(L, lib);
  return 1;
}
