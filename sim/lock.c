/* threading.Lock: a plain mutex any thread may release, as Python's. It
 * remembers who acquired it last, so :locks and the deadlock detector can
 * name the holder. The waiting here is shared with RLock (rlock.c). */
#include "locks.h"

#include <errno.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static tl_lockhdr *tl__check_lock(lua_State *L) {
  return luaL_checkudata(L, 1, TL_LOCK_MT);
}

static void tl__link_waiter(tl_lockhdr *k, tl_thread *t) {
  t->wnext = NULL;
  t->wprev = k->wtail;
  if (k->wtail) k->wtail->wnext = t;
  else k->waiters = t;
  k->wtail = t;
}

static void tl__unlink_waiter(tl_lockhdr *k, tl_thread *t) {
  if (t->wprev) t->wprev->wnext = t->wnext;
  else k->waiters = t->wnext;
  if (t->wnext) t->wnext->wprev = t->wprev;
  else k->wtail = t->wprev;
  t->wnext = t->wprev = NULL;
}

tl_lockhdr *tl__lock_push(lua_State *L, size_t size, const char *tname, int type,
                          const char *name, int internal) {
  tl_lockhdr *k = lua_newuserdatauv(L, size, 0);
  memset(k, 0, size);
  k->magic = TL_LOCK_MAGIC;
  k->type = (uint8_t)type;
  k->internal = (uint8_t)internal;
  if (!internal && tl_trace_global) k->id = tl_trace_new_id(tl_trace_global);
  if (name)
    snprintf(k->name, sizeof k->name, "%s", name);
  else
    snprintf(k->name, sizeof k->name, "%s-%u", tl_obj_type_name((unsigned)type), k->id);
  luaL_setmetatable(L, tname);
  if (!internal) {
    if (tl_trace_global)
      tl_emit(TL_EV_LOCK_NEW, (uint16_t)type, k->id,
              tl_trace_str(tl_trace_global, k->name, strlen(k->name)));
    tl__locks_register(L, -1, k->id);
  }
  return k;
}

const char *tl__lock_name_arg(lua_State *L, const char *fname) {
  static const char *const kw[] = { "name", NULL };
  const char *name = NULL;
  if (lua_istable(L, 1) && !lua_getmetatable(L, 1)) {
    tl_check_kwargs(L, 1, fname, kw);
    lua_getfield(L, 1, "name");
    if (!lua_isnil(L, -1)) name = tl_check_str(L, -1, fname, "name");
    lua_pop(L, 1); /* the table keeps the string */
  } else if (!lua_isnoneornil(L, 1)) {
    name = tl_check_str(L, 1, fname, "name");
  }
  return name;
}

/* threading.Lock([{name=...}]) */
static int f_new(lua_State *L) {
  const char *name = tl__lock_name_arg(L, "Lock");
  tl__lock_push(L, sizeof(tl_lockhdr), TL_LOCK_MT, TL_OBJ_LOCK, name, 0);
  return 1;
}

void tl__acquire_args(lua_State *L, int *blocking, double *timeout) {
  static const char *const kw[] = { "blocking", "timeout", NULL };
  *blocking = 1;
  *timeout = -1;
  if (lua_istable(L, 2) && !lua_getmetatable(L, 2)) {
    tl_check_kwargs(L, 2, "acquire", kw);
    lua_getfield(L, 2, "blocking");
    if (!lua_isnil(L, -1)) *blocking = lua_toboolean(L, -1);
    lua_getfield(L, 2, "timeout");
    *timeout = tl_check_timeout(L, -1, "acquire", "timeout");
    lua_pop(L, 2);
  } else {
    if (!lua_isnoneornil(L, 2)) *blocking = lua_toboolean(L, 2);
    *timeout = tl_check_timeout(L, 3, "acquire", "timeout");
  }
  if (!*blocking && *timeout != -1)
    tl_raise(L, "ValueError", "can't specify a timeout for a non-blocking call");
  if (*timeout < 0 && *timeout != -1)
    tl_raise(L, "ValueError", "timeout value must be a non-negative number");
  if (*timeout > TL_TIMEOUT_MAX) /* as _thread's lock: threading.TIMEOUT_MAX */
    tl_raise(L, "OverflowError", "timeout value is too large");
}

/* World mutex held. */
static void tl__own(tl_lockhdr *k, tl_thread *t) {
  k->count = 1;
  k->owner = t;
  if (!k->internal) atomic_fetch_add(&t->refs, 1);
}

/* World mutex and GIL held. */
static void tl__disown(tl_lockhdr *k) {
  tl_thread *t = k->owner;
  k->owner = NULL;
  if (!t || k->internal) return;
  tl__held_remove(k);
  tl__thread_unref(t);
}

void tl__lock_free_locked(tl_lockhdr *k) {
  k->count = 0;
  tl__disown(k);
  k->last_tid = tl__self ? tl__self->id : 0;
  /* Wake one waiter; like CPython's lock there is no handoff guarantee. */
  if (k->waiters) tl__wake(k->waiters);
  if (!k->internal) tl_emit(TL_EV_LOCK_RELEASE, 0, k->id, 0);
}

int tl__lock_acquire(lua_State *L, tl_lockhdr *k, int blocking, double timeout) {
  tl_thread *self = tl__self;
  int r = 0, got, linked, with_gil = 0;
  uint64_t deadline;
  tl_mutex_lock(&tl_W->mu);
  if (k->count && k->type == TL_OBJ_RLOCK && k->owner == self) {
    k->count++;
    tl_mutex_unlock(&tl_W->mu);
    return 1;
  }
  if (!k->count) {
    /* Uncontended: no GIL release, as CPython tries first. */
    tl__own(k, self);
    tl_mutex_unlock(&tl_W->mu);
    if (!k->internal) {
      tl_emit(TL_EV_LOCK_ACQUIRE, 0, k->id, 0);
      tl__held_add(k, self);
    }
    return 1;
  }
  if (!blocking) {
    tl_mutex_unlock(&tl_W->mu);
    return 0;
  }
  deadline = tl_deadline_in(timeout);
  if (!k->internal) {
    tl_emit(TL_EV_LOCK_REQUEST, 0, k->id, k->owner ? k->owner->id : 0);
    r = tl__deadlock_before_wait(self, TL_WAIT_LOCK, k, deadline);
  }
  TL_ALLOW_THREADS_BEGIN(self);
  tl__link_waiter(k, self);
  for (;;) {
    while (k->count && r == 0) r = tl__wait(self, TL_WAIT_LOCK, k, deadline);
    if (r || k->internal || TL_VIRTUAL()) break;
    /* Free: take the GIL first, then the lock if it is still free. A
     * waiter that took the lock without the GIL could not use it until
     * its releaser, still running, came back for it and blocked: every
     * round of a contended loop would then cost two GIL switches (a lock
     * convoy), and a spinning waiter always wins that race, so the convoy
     * never ends (scripts/bench/README.md, lock-loop-2x3M). CPython's
     * waiter, woken slowly by the kernel, mostly finds the lock taken
     * again by its releaser; this one always does, so the GIL decides. */
    TL_ALLOW_THREADS_END(self);
    with_gil = 1;
    if (!k->count) break;
    TL_ALLOW_THREADS_BEGIN(self);
    with_gil = 0;
  }
  tl__unlink_waiter(k, self);
  got = !k->count;
  if (got) {
    tl__own(k, self);
    if (!k->internal) tl_emit(TL_EV_LOCK_ACQUIRE, 0, k->id, k->last_tid);
  } else if (!k->internal) {
    tl_emit(TL_EV_LOCK_TIMEOUT, 0, k->id, 0);
  }
  if (!with_gil) TL_ALLOW_THREADS_END(self);
  if (r == ECANCELED && got) {
    /* Interrupted just as the lock came free: do not keep it. */
    tl__lock_free_locked(k);
    got = 0;
  }
  /* Another thread may have released a plain Lock while this one waited
   * for the GIL: then it is no longer held here. */
  linked = got && !k->internal && k->owner == self;
  if (!k->internal) {
    tl__deadlock_thaw(self);
    /* A deadlock that came apart (another thread released a lock of the
     * cycle) is no longer news. */
    if (r != ECANCELED && self->cancel == TL_CANCEL_DEADLOCK) self->cancel = TL_CANCEL_NONE;
  }
  tl_mutex_unlock(&tl_W->mu);
  if (r == ECANCELED) tl_deadlock_after_wait(L);
  if (linked) tl__held_add(k, self);
  return got;
}

static int f_acquire(lua_State *L) {
  tl_lockhdr *k = tl__check_lock(L);
  int blocking;
  double timeout;
  tl__acquire_args(L, &blocking, &timeout);
  lua_pushboolean(L, tl__lock_acquire(L, k, blocking, timeout));
  return 1;
}

static int f_release(lua_State *L) {
  tl_lockhdr *k = tl__check_lock(L);
  tl_mutex_lock(&tl_W->mu);
  if (!k->count) {
    tl_mutex_unlock(&tl_W->mu);
    return tl_raise(L, "RuntimeError", "release unlocked lock");
  }
  tl__lock_free_locked(k);
  tl_mutex_unlock(&tl_W->mu);
  return 0;
}

int tl__lock_push_locked(lua_State *L, tl_lockhdr *k) {
  int locked;
  tl_mutex_lock(&tl_W->mu);
  locked = k->count > 0;
  tl_mutex_unlock(&tl_W->mu);
  lua_pushboolean(L, locked);
  return 1;
}

static int f_locked(lua_State *L) { return tl__lock_push_locked(L, tl__check_lock(L)); }

void tl__lock_describe(tl_lockhdr *k, char *buf, size_t len) {
  const char *type = tl_obj_type_name(k->type);
  tl_mutex_lock(&tl_W->mu);
  if (!k->count)
    snprintf(buf, len, "<unlocked threading.%s %s>", type, k->name);
  else if (!k->owner || k->internal) /* an internal lock's owner is not counted */
    snprintf(buf, len, "<locked threading.%s %s>", type, k->name);
  else if (k->type == TL_OBJ_RLOCK)
    snprintf(buf, len, "<locked threading.RLock %s, owner=%s%s count=%d>", k->name,
             k->owner->name, k->owner->ended ? " (ended)" : "", k->count);
  else
    snprintf(buf, len, "<locked threading.Lock %s, acquired by %s%s>", k->name,
             k->owner->name, k->owner->ended ? ", which has ended" : "");
  tl_mutex_unlock(&tl_W->mu);
}

static int f_tostring(lua_State *L) {
  char buf[256];
  tl__lock_describe(tl__check_lock(L), buf, sizeof buf);
  lua_pushstring(L, buf);
  return 1;
}

/* __index: the methods (an upvalue: one table lookup on the hot path of
 * lock:acquire()), and the name. */
static int tl__lock_index(lua_State *L) {
  lua_pushvalue(L, 2);
  if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL) return 1;
  if (lua_type(L, 2) == LUA_TSTRING && strcmp(lua_tostring(L, 2), "name") == 0) {
    tl_lockhdr *k = lua_touserdata(L, 1);
    lua_pushstring(L, k->name);
  }
  return 1;
}

int tl__lock_gc(lua_State *L) {
  tl_lockhdr *k = lua_touserdata(L, 1);
  /* Unreachable, so no other thread can touch it; the GIL guards the held
   * list, and the world mutex may be held by this very thread (a finalizer
   * runs wherever Lua allocates). */
  if (k && k->owner && !k->internal) {
    tl__held_remove(k);
    tl__thread_unref(k->owner);
  }
  if (k) k->owner = NULL;
  return 0;
}

void tl__lock_metatable(lua_State *L, const char *tname, const luaL_Reg *methods,
                        lua_CFunction tostring) {
  luaL_newmetatable(L, tname);
  lua_pushcfunction(L, tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pushcfunction(L, tl__lock_gc);
  lua_setfield(L, -2, "__gc");
  lua_newtable(L);
  luaL_setfuncs(L, methods, 0);
  lua_pushvalue(L, -1);
  lua_setfield(L, -3, "methods"); /* threading.lua adds held() here */
  lua_pushcclosure(L, tl__lock_index, 1);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
}

int luaopen_tl_lock(lua_State *L) {
  static const luaL_Reg methods[] = {
    { "acquire", f_acquire },
    { "release", f_release },
    { "locked",  f_locked  },
    { NULL,      NULL      }
  };
  tl__lock_metatable(L, TL_LOCK_MT, methods, f_tostring);
  lua_pushcfunction(L, f_new);
  return 1;
}
