/* Errors as Python-style objects: {type=, message=} whose tostring reads
 * "RuntimeError: release unlocked lock". The classes are Lua (errors.lua);
 * C finds them in the registry. */
#include "engine.h"

#include <lauxlib.h>
#include <stdarg.h>
#include <string.h>

#define TL__ERRORS "threadlab.errors"

void tl_push_error(lua_State *L, const char *type, const char *msg) {
  lua_getfield(L, LUA_REGISTRYINDEX, TL__ERRORS);
  if (lua_istable(L, -1) && lua_getfield(L, -1, type) != LUA_TNIL) {
    lua_remove(L, -2);
    lua_pushstring(L, msg);
    lua_call(L, 1, 1);
    return;
  }
  lua_pop(L, 2);
  lua_pushfstring(L, "%s: %s", type, msg);
}

int tl_raise(lua_State *L, const char *type, const char *fmt, ...) {
  va_list ap;
  const char *msg;
  va_start(ap, fmt);
  msg = lua_pushvfstring(L, fmt, ap);
  va_end(ap);
  tl_push_error(L, type, msg);
  return lua_error(L);
}

/* Keeps the error value and records where it happened: Lua's traceback,
 * under Python's heading. */
int tl_msghandler(lua_State *L) {
  if (lua_type(L, 1) == LUA_TTABLE) {
    if (lua_getfield(L, 1, "traceback") == LUA_TNIL) {
      luaL_traceback(L, L, NULL, 1);
      lua_setfield(L, 1, "traceback");
    }
    lua_pop(L, 1);
    lua_settop(L, 1);
    return 1;
  }
  /* Any other value becomes a table that keeps it, so it can be printed with
   * its traceback and still be told apart from an error object. */
  lua_createtable(L, 0, 2);
  lua_pushvalue(L, 1);
  lua_setfield(L, -2, "value");
  luaL_traceback(L, L, NULL, 1);
  lua_setfield(L, -2, "traceback");
  return 1;
}

int tl_is_error(lua_State *L, int idx, const char *type) {
  int yes;
  if (lua_type(L, idx) != LUA_TTABLE) return 0;
  lua_getfield(L, idx, "type");
  yes = lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), type) == 0;
  lua_pop(L, 1);
  return yes;
}

const char *tl_format_exception(lua_State *L, int idx) {
  luaL_Buffer b;
  idx = lua_absindex(L, idx);
  luaL_buffinit(L, &b);
  if (lua_type(L, idx) == LUA_TTABLE) {
    if (lua_getfield(L, idx, "traceback") == LUA_TSTRING) {
      const char *tb = lua_tostring(L, -1);
      /* Lua's heading, in Python's words. */
      if (strncmp(tb, "stack traceback:", 16) == 0) {
        luaL_addstring(&b, "Traceback (most recent call first):");
        luaL_addstring(&b, tb + 16);
      } else {
        luaL_addstring(&b, tb);
      }
      luaL_addchar(&b, '\n');
    }
    lua_pop(L, 1);
    if (lua_getfield(L, idx, "type") != LUA_TSTRING) {
      lua_pop(L, 1);
      lua_getfield(L, idx, "value");
      if (lua_type(L, -1) == LUA_TSTRING &&
          strstr(lua_tostring(L, -1), "bad argument #") != NULL)
        luaL_addstring(&b, "TypeError: ");
      else if (lua_type(L, -1) == LUA_TSTRING &&
               strcmp(lua_tostring(L, -1), "not enough memory") == 0)
        luaL_addstring(&b, "MemoryError: over threadlab's limit (--memory-limit): ");
      else if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushvalue(L, idx);
      }
      luaL_tolstring(L, -1, NULL);
      lua_remove(L, -2);
      luaL_addvalue(&b);
    } else {
      lua_pop(L, 1);
      luaL_tolstring(L, idx, NULL);
      luaL_addvalue(&b);
    }
  } else {
    /* A memory error comes without a message handler, so as a bare string. */
    if (lua_type(L, idx) == LUA_TSTRING && strcmp(lua_tostring(L, idx), "not enough memory") == 0)
      luaL_addstring(&b, "MemoryError: over threadlab's limit (--memory-limit): ");
    luaL_tolstring(L, idx, NULL);
    luaL_addvalue(&b);
  }
  luaL_pushresult(&b);
  return lua_tostring(L, -1);
}
