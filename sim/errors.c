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

void tl_typed_error(lua_State *L, int idx) {
  const char *s, *p, *to, *name_end, *open;
  idx = lua_absindex(L, idx);
  if (lua_type(L, idx) != LUA_TSTRING) return;
  s = lua_tostring(L, idx);
  if (!(p = strstr(s, "bad argument #"))) return;
  if (!(to = strstr(p, " to '")) || !(name_end = strchr(to + 5, '\'')) ||
      !(open = strstr(name_end, "' (")))
    return;
  /* "bad argument #2 to 'sleep' (number expected, got string)" ->
   * "TypeError: time.sleep() argument #2: number expected, got string" */
  lua_pushfstring(L, "%s() argument #%s: %s",
                  lua_pushlstring(L, to + 5, (size_t)(name_end - (to + 5))),
                  lua_pushlstring(L, p + 14, (size_t)(to - (p + 14))), open + 3);
  {
    size_t n;
    const char *m = lua_tolstring(L, -1, &n);
    if (n && m[n - 1] == ')') lua_pushlstring(L, m, n - 1);
    else lua_pushvalue(L, -1);
  }
  tl_push_error(L, "TypeError", lua_tostring(L, -1));
  lua_replace(L, idx);
  lua_pop(L, 4);
}

/* Keeps the error value and records where it happened: Lua's traceback,
 * under Python's heading. */
int tl_msghandler(lua_State *L) {
  tl_typed_error(L, 1);
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

/* Argument checks every public function shares, so that a wrong argument
 * reads the same everywhere: a typed error naming the function and the
 * argument. A constructor that takes a table of keywords checks it with
 * tl_check_kwargs (errors.kwargs in Lua) from the start. */

static const char *tl__type_of(lua_State *L, int idx) {
  if (lua_type(L, idx) == LUA_TNUMBER) return lua_isinteger(L, idx) ? "int" : "float";
  if (luaL_getmetafield(L, idx, "__name") == LUA_TSTRING) {
    const char *n = lua_tostring(L, -1);
    lua_pop(L, 1);
    return n;
  }
  return luaL_typename(L, idx);
}

int tl_arg_error(lua_State *L, const char *fname, const char *arg, const char *expected,
                 int idx) {
  return tl_raise(L, "TypeError", "%s() argument '%s' must be %s, not %s", fname, arg,
                  expected, tl__type_of(L, idx));
}

void tl_check_kwargs(lua_State *L, int idx, const char *fname, const char *const *allowed) {
  idx = lua_absindex(L, idx);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    int i, ok = 0;
    lua_pop(L, 1);
    if (lua_type(L, -1) == LUA_TSTRING) {
      const char *k = lua_tostring(L, -1);
      for (i = 0; allowed[i] && !ok; i++) ok = strcmp(k, allowed[i]) == 0;
      if (!ok)
        tl_raise(L, "TypeError", "%s() got an unexpected keyword argument '%s'", fname, k);
    } else {
      tl_raise(L, "TypeError", "%s() takes keyword arguments as name=value fields, not [%s]",
               fname, luaL_tolstring(L, -1, NULL));
    }
  }
}

double tl_check_timeout(lua_State *L, int idx, const char *fname, const char *arg) {
  double v;
  if (lua_isnoneornil(L, idx)) return -1;
  if (lua_type(L, idx) != LUA_TNUMBER) tl_arg_error(L, fname, arg, "a number or nil", idx);
  v = lua_tonumber(L, idx);
  if (v != v) tl_raise(L, "ValueError", "%s() argument '%s' is NaN (not a number)", fname, arg);
  return v;
}

lua_Integer tl_check_whole(lua_State *L, int idx, const char *fname, const char *arg) {
  lua_Integer n;
  if (lua_type(L, idx) != LUA_TNUMBER) tl_arg_error(L, fname, arg, "a whole number", idx);
  if (!lua_isinteger(L, idx)) {
    double v = lua_tonumber(L, idx);
    if (!(v == v && v >= -9.2e18 && v <= 9.2e18 && v == (double)(lua_Integer)v))
      tl_raise(L, "TypeError", "%s() argument '%s' must be a whole number, not %s", fname, arg,
               v != v ? "nan" : luaL_tolstring(L, idx, NULL));
    return (lua_Integer)v;
  }
  n = lua_tointeger(L, idx);
  return n;
}

double tl_check_number(lua_State *L, int idx, const char *fname, const char *arg) {
  double v;
  if (lua_type(L, idx) != LUA_TNUMBER) tl_arg_error(L, fname, arg, "a number", idx);
  v = lua_tonumber(L, idx);
  if (v != v) tl_raise(L, "ValueError", "%s() argument '%s' is NaN (not a number)", fname, arg);
  return v;
}

int tl_check_option(lua_State *L, int idx, const char *fname, const char *arg,
                    const char *const *list) {
  const char *s;
  int i;
  luaL_Buffer b;
  if (lua_type(L, idx) != LUA_TSTRING) tl_arg_error(L, fname, arg, "a string", idx);
  s = lua_tostring(L, idx);
  for (i = 0; list[i]; i++)
    if (strcmp(s, list[i]) == 0) return i;
  luaL_buffinit(L, &b);
  for (i = 0; list[i]; i++) {
    if (i) luaL_addstring(&b, list[i + 1] ? ", " : " or ");
    luaL_addstring(&b, list[i]);
  }
  luaL_pushresult(&b);
  return tl_raise(L, "ValueError", "%s() argument '%s' must be %s, not '%s'", fname, arg,
                  lua_tostring(L, -1), s);
}

const char *tl_check_str(lua_State *L, int idx, const char *fname, const char *arg) {
  if (lua_type(L, idx) != LUA_TSTRING && lua_type(L, idx) != LUA_TNUMBER)
    tl_arg_error(L, fname, arg, "a string", idx);
  return lua_tostring(L, idx);
}

/* errors.kwargs(fname, kw, name, ...): kw has no field but the names. */
static int f_kwargs(lua_State *L) {
  const char *names[32];
  int i, n = lua_gettop(L) - 2;
  const char *fname = luaL_checkstring(L, 1);
  if (n > 31) n = 31;
  for (i = 0; i < n; i++) names[i] = luaL_checkstring(L, i + 3);
  names[n] = NULL;
  if (lua_type(L, 2) == LUA_TTABLE) tl_check_kwargs(L, 2, fname, names);
  return 0;
}

/* errors.timeout(fname, value, [argname]) -> value: nil or a number, not NaN */
static int f_timeout(lua_State *L) {
  tl_check_timeout(L, 2, luaL_checkstring(L, 1), luaL_optstring(L, 3, "timeout"));
  lua_settop(L, 2);
  return 1;
}

/* errors.whole(fname, argname, value) -> the value as an integer */
static int f_whole(lua_State *L) {
  lua_pushinteger(L, tl_check_whole(L, 3, luaL_checkstring(L, 1), luaL_checkstring(L, 2)));
  return 1;
}

/* errors.argerror(fname, argname, expected, value): raises the TypeError */
static int f_argerror(lua_State *L) {
  return tl_arg_error(L, luaL_checkstring(L, 1), luaL_checkstring(L, 2), luaL_checkstring(L, 3),
                      4);
}

int tl_open_arg_checks(lua_State *L) {
  static const luaL_Reg fns[] = {
    { "kwargs",   f_kwargs   },
    { "timeout",  f_timeout  },
    { "whole",    f_whole    },
    { "argerror", f_argerror },
    { NULL,       NULL       }
  };
  luaL_newlib(L, fns);
  return 1;
}
