/* threading._deadlock: what :locks shows (every live Lock and RLock, its
 * holder and waiters) and the deadlocks found (deadlock.c). */
#include "locks.h"

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
  return 1;
}

/* found() -> the deadlocks found so far, as messages */
static int f_found(lua_State *L) {
  int i, n;
  tl_mutex_lock(&tl_W->mu);
  n = tl__deadlock_nfound();
  tl_mutex_unlock(&tl_W->mu);
  lua_createtable(L, n, 0);
  for (i = 0; i < n; i++) {
    lua_pushstring(L, tl__deadlock_found(i));
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

/* Opened once per world: forgets what the last world found. */
int luaopen_tl_deadlock(lua_State *L) {
  static const luaL_Reg lib[] = {
    { "locks", f_locks },
    { "found", f_found },
    { NULL,    NULL    }
  };
  tl__deadlock_reset();
  tl__lock_order_reset();
  luaL_newlib(L, lib);
  return 1;
}
