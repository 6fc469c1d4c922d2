/* C helpers of the Lua Thread class: its `daemon` property, and the name
 * of a thread's target. In C so that they cost no virtual time (no Lua
 * instructions) and stay cheap when 20,000 threads are made.
 *
 * What a thread's target is known by, for the " (name)" CPython 3.10+
 * appends to a default thread name (it reads target.__name__). A Lua
 * function has no name of its own, so look where the learner put it: a
 * local or upvalue of the function creating the thread, a global, a field
 * of a table reachable from the globals; an anonymous function is spelled
 * as CPython spells a lambda. */
#include "engine.h"

#include <lauxlib.h>
#include <string.h>

/* Library tables: their fields are not what a learner's target is known by. */
static const char *const tl__lib_globals[] = {
  "_G", "package", "string", "table", "math", "io", "os", "coroutine", "utf8",
  "debug", "threading", "queue", "time", "lab", "lesson", NULL
};

static int tl__is_lib(const char *k) {
  for (int i = 0; tl__lib_globals[i]; i++)
    if (strcmp(k, tl__lib_globals[i]) == 0) return 1;
  return 0;
}

/* Scans the tables listed in `layer` (a sequence at index layer) for a
 * string key whose value is fn (index 1); returns the smallest such key,
 * so the result never depends on the order lua_next happens to use. Tables
 * met on the way go to the sequence at `next`; `seen` marks visited ones. */
static const char *tl__scan_layer(lua_State *L, int layer, int next, int seen,
                                  int top_level) {
  const char *best = NULL;
  lua_Integer n = luaL_len(L, layer), m = 0;
  for (lua_Integer i = 1; i <= n; i++) {
    lua_rawgeti(L, layer, i);
    int t = lua_gettop(L);
    lua_pushvalue(L, t);
    if (lua_rawget(L, seen) != LUA_TNIL) { lua_pop(L, 2); continue; }
    lua_pop(L, 1);
    lua_pushvalue(L, t);
    lua_pushboolean(L, 1);
    lua_rawset(L, seen);
    lua_pushnil(L);
    while (lua_next(L, t)) {
      if (lua_type(L, -2) == LUA_TSTRING) {
        const char *k = lua_tostring(L, -2);
        if (lua_rawequal(L, -1, 1) && (!best || strcmp(k, best) < 0)) best = k;
        if (lua_type(L, -1) == LUA_TTABLE && !(top_level && tl__is_lib(k))) {
          lua_pushvalue(L, -1);
          lua_rawseti(L, next, ++m);
        }
      }
      lua_pop(L, 1);
    }
    /* best points into a key of t, which stays reachable through `seen`. */
    lua_pop(L, 1);
  }
  return best;
}

/* Pushes what fn (index 1) is known by, or nil; level counts from the C
 * function running, so 2 is the caller of the Lua function calling it. */
static void tl__target_name(lua_State *L, int level) {
  const char *best;
  lua_Debug ar;
  lua_settop(L, 1);
  if (lua_getstack(L, level, &ar)) {
    const char *n;
    for (int i = 1; (n = lua_getlocal(L, &ar, i)) != NULL; i++) {
      int hit = lua_rawequal(L, -1, 1) && n[0] != '(';
      lua_pop(L, 1);
      if (hit) { lua_pushstring(L, n); return; }
    }
    lua_getinfo(L, "f", &ar);
    for (int i = 1; (n = lua_getupvalue(L, -1, i)) != NULL; i++) {
      int hit = lua_rawequal(L, -1, 1) && n[0] && strcmp(n, "_ENV") != 0;
      lua_pop(L, 1);
      if (hit) { lua_pushstring(L, n); return; }
    }
    lua_pop(L, 1);
  }
  /* Globals first, then three levels of tables below them, breadth first
   * so the shortest path wins. */
  lua_createtable(L, 1, 0);               /* 2: layer */
  lua_pushglobaltable(L);
  lua_rawseti(L, 2, 1);
  lua_newtable(L);                        /* 3: seen */
  for (int depth = 0; depth < 4; depth++) {
    lua_newtable(L);                      /* 4: next layer */
    best = tl__scan_layer(L, 2, 4, 3, depth == 0);
    if (best) { lua_pushstring(L, best); return; }
    lua_replace(L, 2);
  }
  if (lua_type(L, 1) == LUA_TFUNCTION) lua_pushliteral(L, "<lambda>");
  else lua_pushnil(L);
}

/* thread_name(name, target, level) -> the name given, else "Thread-N" or
 * "Thread-N (target)" with the next N of this world's counter (upvalue 1),
 * as CPython's _newname; a name of nil, "" or false is no name. */
static int tl__thread_name(lua_State *L) {
  lua_Integer n = lua_tointeger(L, lua_upvalueindex(1)) + 1;
  int level = (int)luaL_checkinteger(L, 3);
  if (!lua_isnoneornil(L, 1) && !(lua_isboolean(L, 1) && !lua_toboolean(L, 1)) &&
      !(lua_type(L, 1) == LUA_TSTRING && lua_rawlen(L, 1) == 0)) {
    luaL_tolstring(L, 1, NULL);
    return 1;
  }
  lua_remove(L, 1); /* target, level */
  lua_pushinteger(L, n);
  lua_replace(L, lua_upvalueindex(1));
  if (lua_isnil(L, 1)) {
    lua_pushfstring(L, "Thread-%I", n);
    return 1;
  }
  tl__target_name(L, level);
  if (lua_isnil(L, -1)) lua_pushfstring(L, "Thread-%I", n);
  else lua_pushfstring(L, "Thread-%I (%s)", n, lua_tostring(L, -1));
  return 1;
}

/* Pushes thread_name, its counter at 0 (one per world: per Lua state). */
void tl__push_thread_name(lua_State *L) {
  lua_pushinteger(L, 0);
  lua_pushcclosure(L, tl__thread_name, 1);
}

/* `daemon` is a property, as in Python: kept in _daemon, frozen once the
 * thread has started (its __handle is set). Upvalue 1 is the class. */
static int tl__class_index(lua_State *L) {
  if (lua_type(L, 2) == LUA_TSTRING && strcmp(lua_tostring(L, 2), "daemon") == 0) {
    lua_pushliteral(L, "_daemon");
    lua_rawget(L, 1);
    return 1;
  }
  lua_pushvalue(L, 2);
  lua_gettable(L, lua_upvalueindex(1));
  return 1;
}

static int tl__class_newindex(lua_State *L) {
  lua_settop(L, 3);
  if (lua_type(L, 2) == LUA_TSTRING && strcmp(lua_tostring(L, 2), "daemon") == 0) {
    lua_pushliteral(L, "__handle");
    if (lua_rawget(L, 1) != LUA_TNIL)
      return tl_raise(L, "RuntimeError", "cannot set daemon status of active thread");
    lua_pushliteral(L, "_daemon");
    lua_pushboolean(L, lua_toboolean(L, 3));
    lua_rawset(L, 1);
    return 0;
  }
  lua_rawset(L, 1);
  return 0;
}

/* property_class(cls): cls.__index / __newindex for instances of cls, a
 * Thread class or one whose __index chain reaches Thread. */
int tl__f_property_class(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_pushvalue(L, 1);
  lua_pushcclosure(L, tl__class_index, 1);
  lua_setfield(L, 1, "__index");
  lua_pushcfunction(L, tl__class_newindex);
  lua_setfield(L, 1, "__newindex");
  return 0;
}
