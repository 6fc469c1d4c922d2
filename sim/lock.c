/* threading.Lock: a plain mutex any thread may release, as Python's. It
 * remembers who acquired it last, so :locks and the deadlock detector can
 * name the holder. */
#include "engine.h"

#include <errno.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TL__LOCK "threadlab.Lock"

typedef struct tl_lock {
  uint32_t id;
  int locked;
  tl_thread *owner;      /* who acquired it (not a rule, a fact to show) */
  uint32_t last_tid;     /* who released it last, for handoff arrows */
  tl_thread *waiters;    /* FIFO, linked through wnext */
  char name[48];
} tl_lock;

static tl_lock *tl__check_lock(lua_State *L) {
  return luaL_checkudata(L, 1, TL__LOCK);
}

static void tl__unlink_waiter(tl_lock *k, tl_thread *t) {
  tl_thread **p;
  for (p = &k->waiters; *p; p = &(*p)->wnext)
    if (*p == t) {
      *p = t->wnext;
      break;
    }
  t->wnext = NULL;
}

/* threading.Lock([{name=...}]) */
static int f_new(lua_State *L) {
  tl_lock *k;
  const char *name = NULL;
  if (lua_istable(L, 1)) {
    lua_getfield(L, 1, "name");
    name = lua_tostring(L, -1);
    lua_pop(L, 1);
  } else if (lua_isstring(L, 1)) {
    name = lua_tostring(L, 1);
  }
  k = lua_newuserdatauv(L, sizeof *k, 0);
  memset(k, 0, sizeof *k);
  k->id = tl_trace_global ? tl_trace_new_id(tl_trace_global) : 0;
  if (name)
    snprintf(k->name, sizeof k->name, "%s", name);
  else
    snprintf(k->name, sizeof k->name, "Lock-%u", k->id);
  luaL_setmetatable(L, TL__LOCK);
  tl_emit_text(TL_EV_LOCK_NEW, k->id, k->name, strlen(k->name));
  return 1;
}

/* Reads (blocking, timeout) the way Python's lock.acquire parses them,
 * positionally or as a table of keywords. */
static void tl__acquire_args(lua_State *L, int *blocking, double *timeout) {
  *blocking = 1;
  *timeout = -1;
  if (lua_istable(L, 2)) {
    lua_getfield(L, 2, "blocking");
    if (!lua_isnil(L, -1)) *blocking = lua_toboolean(L, -1);
    lua_getfield(L, 2, "timeout");
    if (!lua_isnil(L, -1)) *timeout = luaL_checknumber(L, -1);
    lua_pop(L, 2);
  } else {
    if (!lua_isnoneornil(L, 2)) *blocking = lua_toboolean(L, 2);
    if (!lua_isnoneornil(L, 3)) *timeout = luaL_checknumber(L, 3);
  }
  if (!*blocking && *timeout != -1)
    tl_raise(L, "ValueError", "can't specify a timeout for a non-blocking call");
  if (*timeout < 0 && *timeout != -1)
    tl_raise(L, "ValueError", "timeout value must be a non-negative number");
}

static int f_acquire(lua_State *L) {
  tl_lock *k = tl__check_lock(L);
  tl_thread *self = tl__self;
  int blocking, r = 0, got;
  double timeout;
  uint64_t deadline = 0;
  tl__acquire_args(L, &blocking, &timeout);
  tl_mutex_lock(&tl_W->mu);
  if (!k->locked) {
    /* Uncontended: no GIL release, as CPython tries first. */
    k->locked = 1;
    k->owner = self;
    tl_mutex_unlock(&tl_W->mu);
    tl_emit(TL_EV_LOCK_ACQUIRE, 0, k->id, 0);
    lua_pushboolean(L, 1);
    return 1;
  }
  if (!blocking) {
    tl_mutex_unlock(&tl_W->mu);
    lua_pushboolean(L, 0);
    return 1;
  }
  deadline = tl_deadline_in(timeout);
  tl_emit(TL_EV_LOCK_REQUEST, 0, k->id, k->owner ? k->owner->id : 0);
  TL_ALLOW_THREADS_BEGIN(self);
  self->wnext = NULL;
  {
    tl_thread **p = &k->waiters;
    while (*p) p = &(*p)->wnext;
    *p = self;
  }
  while (k->locked && r == 0) r = tl__wait(self, TL_WAIT_LOCK, k, deadline);
  tl__unlink_waiter(k, self);
  got = !k->locked;
  if (got) {
    k->locked = 1;
    k->owner = self;
    tl_emit(TL_EV_LOCK_ACQUIRE, 0, k->id, k->last_tid);
  } else {
    tl_emit(TL_EV_LOCK_TIMEOUT, 0, k->id, 0);
  }
  TL_ALLOW_THREADS_END(self);
  tl_mutex_unlock(&tl_W->mu);
  if (r == ECANCELED) {
    if (got) {
      /* Interrupted just as the lock came free: do not keep it. */
      tl_mutex_lock(&tl_W->mu);
      k->locked = 0;
      k->owner = NULL;
      if (k->waiters) tl__wake(k->waiters);
      tl_mutex_unlock(&tl_W->mu);
      tl_emit(TL_EV_LOCK_RELEASE, 0, k->id, 0);
    }
    tl_check_cancel(L);
  }
  lua_pushboolean(L, got);
  return 1;
}

static int f_release(lua_State *L) {
  tl_lock *k = tl__check_lock(L);
  tl_mutex_lock(&tl_W->mu);
  if (!k->locked) {
    tl_mutex_unlock(&tl_W->mu);
    return tl_raise(L, "RuntimeError", "release unlocked lock");
  }
  k->locked = 0;
  k->owner = NULL;
  k->last_tid = tl__self->id;
  /* Wake one waiter; like CPython's lock there is no handoff guarantee. */
  if (k->waiters) tl__wake(k->waiters);
  tl_emit(TL_EV_LOCK_RELEASE, 0, k->id, 0);
  tl_mutex_unlock(&tl_W->mu);
  return 0;
}

static int f_locked(lua_State *L) {
  tl_lock *k = tl__check_lock(L);
  int locked;
  tl_mutex_lock(&tl_W->mu);
  locked = k->locked;
  tl_mutex_unlock(&tl_W->mu);
  lua_pushboolean(L, locked);
  return 1;
}

static int f_tostring(lua_State *L) {
  tl_lock *k = tl__check_lock(L);
  tl_mutex_lock(&tl_W->mu);
  if (k->locked && k->owner)
    lua_pushfstring(L, "<locked threading.Lock %s, acquired by %s>", k->name, k->owner->name);
  else
    lua_pushfstring(L, "<%s threading.Lock %s>", k->locked ? "locked" : "unlocked", k->name);
  tl_mutex_unlock(&tl_W->mu);
  return 1;
}

static int f_index(lua_State *L) {
  tl_lock *k = tl__check_lock(L);
  const char *key = luaL_checkstring(L, 2);
  if (strcmp(key, "name") == 0) {
    lua_pushstring(L, k->name);
    return 1;
  }
  lua_getmetatable(L, 1);
  lua_getfield(L, -1, "methods");
  lua_getfield(L, -1, key);
  return 1;
}

int luaopen_tl_lock(lua_State *L) {
  static const luaL_Reg methods[] = {
    { "acquire", f_acquire },
    { "release", f_release },
    { "locked",  f_locked  },
    { NULL,      NULL      }
  };
  luaL_newmetatable(L, TL__LOCK);
  lua_pushcfunction(L, f_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pushcfunction(L, f_index);
  lua_setfield(L, -2, "__index");
  luaL_newlib(L, methods);
  lua_setfield(L, -2, "methods");
  lua_pop(L, 1);
  lua_pushcfunction(L, f_new);
  return 1;
}
