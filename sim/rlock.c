/* threading.RLock: a lock its owner may take again; it counts how often and
 * is free when released as often. Only the owner may release it. The
 * _is_owned/_release_save/_acquire_restore trio is what Condition uses to
 * let go of an RLock entirely while it waits, as CPython's does. */
#include "locks.h"

#include <lauxlib.h>
#include <string.h>

static tl_lockhdr *tl__check_rlock(lua_State *L) {
  return luaL_checkudata(L, 1, TL_RLOCK_MT);
}

/* threading.RLock([{name=...}]) */
static int f_new(lua_State *L) {
  const char *name = tl__lock_name_arg(L, "RLock");
  tl__lock_push(L, sizeof(tl_lockhdr), TL_RLOCK_MT, TL_OBJ_RLOCK, name, 0);
  return 1;
}

static int f_acquire(lua_State *L) {
  tl_lockhdr *k = tl__check_rlock(L);
  int blocking;
  double timeout;
  tl__acquire_args(L, &blocking, &timeout);
  lua_pushboolean(L, tl__lock_acquire(L, k, blocking, timeout));
  return 1;
}

/* Checks ownership with the world mutex held; unlocks and raises if not. */
static void tl__must_own(lua_State *L, tl_lockhdr *k) {
  if (k->count && k->owner == tl__self) return;
  tl_mutex_unlock(&tl_W->mu);
  tl_raise(L, "RuntimeError", "cannot release un-acquired lock");
}

static int f_release(lua_State *L) {
  tl_lockhdr *k = tl__check_rlock(L);
  tl_mutex_lock(&tl_W->mu);
  tl__must_own(L, k);
  if (--k->count == 0) tl__lock_free_locked(k);
  tl_mutex_unlock(&tl_W->mu);
  return 0;
}

static int f_locked(lua_State *L) { return tl__lock_push_locked(L, tl__check_rlock(L)); }

static int f_is_owned(lua_State *L) {
  tl_lockhdr *k = tl__check_rlock(L);
  int owned;
  tl_mutex_lock(&tl_W->mu);
  owned = k->count > 0 && k->owner == tl__self;
  tl_mutex_unlock(&tl_W->mu);
  lua_pushboolean(L, owned);
  return 1;
}

/* How often the calling thread holds it (0 when another thread does). */
static int f_recursion_count(lua_State *L) {
  tl_lockhdr *k = tl__check_rlock(L);
  int n;
  tl_mutex_lock(&tl_W->mu);
  n = k->owner == tl__self ? k->count : 0;
  tl_mutex_unlock(&tl_W->mu);
  lua_pushinteger(L, n);
  return 1;
}

/* Releases it entirely; returns the count for _acquire_restore. */
static int f_release_save(lua_State *L) {
  tl_lockhdr *k = tl__check_rlock(L);
  int n;
  tl_mutex_lock(&tl_W->mu);
  tl__must_own(L, k);
  n = k->count;
  tl__lock_free_locked(k);
  tl_mutex_unlock(&tl_W->mu);
  lua_pushinteger(L, n);
  return 1;
}

/* Waits for it, then holds it `count` times again. */
static int f_acquire_restore(lua_State *L) {
  tl_lockhdr *k = tl__check_rlock(L);
  lua_Integer n = luaL_optinteger(L, 2, 1);
  luaL_argcheck(L, n >= 1 && n <= 0x7fffffff, 2, "a count from _release_save");
  tl__lock_acquire(L, k, 1, -1);
  tl_mutex_lock(&tl_W->mu);
  if (k->owner == tl__self) k->count = (int)n;
  tl_mutex_unlock(&tl_W->mu);
  return 0;
}

static int f_tostring(lua_State *L) {
  char buf[256];
  tl__lock_describe(tl__check_rlock(L), buf, sizeof buf);
  lua_pushstring(L, buf);
  return 1;
}

int luaopen_tl_rlock(lua_State *L) {
  static const luaL_Reg methods[] = {
    { "acquire",          f_acquire          },
    { "release",          f_release          },
    { "locked",           f_locked           },
    { "_is_owned",        f_is_owned         },
    { "_recursion_count", f_recursion_count  },
    { "_release_save",    f_release_save     },
    { "_acquire_restore", f_acquire_restore  },
    { NULL,               NULL               }
  };
  tl__lock_metatable(L, TL_RLOCK_MT, methods, f_tostring);
  lua_pushcfunction(L, f_new);
  return 1;
}
