/* Errors as Python-style objects: {type=, message=} whose tostring reads
 * "RuntimeError: release unlocked lock". The classes are Lua (errors.lua);
 * C finds them in the registry.
 *
 * Reporting an error must never fail in turn: a __tostring that raises, or
 * memory that ran out, would otherwise take the session down (an error
 * outside any protected call aborts the process). So every report runs
 * under lua_pcall, writes big strings straight from the Lua state instead
 * of copying them, and falls back to fixed text. */
#include "engine.h"

#include <lauxlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define TL__ERRORS "threadlab.errors"
#define TL__TB_HEAD "Traceback (most recent call last):\n"
/* Frames kept at each end of a deep stack (as luaL_traceback does). */
#define TL__TB_FIRST 10
#define TL__TB_LAST 11

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

/* A wait that can never end: drawn as threads' hangs are (the HANG
 * banner, from the trace), then raised in the waiting thread. */
int tl_raise_hang(lua_State *L, const char *fmt, ...) {
  va_list ap;
  const char *msg;
  va_start(ap, fmt);
  msg = lua_pushvfstring(L, fmt, ap);
  va_end(ap);
  if (tl_trace_global) {
    const char *said = lua_pushfstring(L, "hang: %s", msg);
    /* reason 3: a hang, not a cycle */
    tl_emit(TL_EV_DEADLOCK, 3, 0, tl_trace_str(tl_trace_global, said, strlen(said)));
    lua_pop(L, 1);
  }
  tl_push_error(L, "HangError", msg);
  return lua_error(L);
}

int tl_is_error(lua_State *L, int idx, const char *type) {
  int yes;
  idx = lua_absindex(L, idx);
  if (lua_type(L, idx) != LUA_TTABLE) return 0;
  /* raw: a user's error object may have an __index that raises, and this
   * runs outside any protected call */
  lua_pushliteral(L, "type");
  lua_rawget(L, idx);
  yes = lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), type) == 0;
  lua_pop(L, 1);
  return yes;
}

void tl_memory_error_text(char *buf, size_t size) {
  snprintf(buf, size, "out of memory: Lua may hold at most %d MiB here"
                      " (--memory-limit MB raises it)", (int)(tl_W->cfg.memory_limit >> 20));
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

/* ---- tracebacks ------------------------------------------------------ */

/* Looks for the function on top among the fields of the table at t, depth
 * levels down (threading.Thread.run); pushes its key and returns 1 if
 * found. The function stays on top either way. */
static int tl__find_name(lua_State *L, int t, int depth, int *budget) {
  t = lua_absindex(L, t);
  lua_pushnil(L);
  while (lua_next(L, t)) {
    if (--*budget < 0) { /* a huge global table: give up, stay quick */
      lua_pop(L, 2);
      return 0;
    }
    if (lua_type(L, -2) == LUA_TSTRING) {
      if (lua_rawequal(L, -1, -3)) {
        lua_pop(L, 1);
        return 1;
      }
      if (depth > 1 && lua_type(L, -1) == LUA_TTABLE && !lua_rawequal(L, -1, t) &&
          strcmp(lua_tostring(L, -2), "_G") != 0 && strcmp(lua_tostring(L, -2), "package") != 0) {
        lua_pushvalue(L, -3);
        if (tl__find_name(L, -2, depth - 1, budget)) {
          /* f k v f key -> f key */
          lua_replace(L, -4);
          lua_pop(L, 2);
          return 1;
        }
        lua_pop(L, 1);
        if (*budget < 0) {
          lua_pop(L, 2);
          return 0;
        }
      }
    }
    lua_pop(L, 1);
  }
  return 0;
}

static void tl__add_frame(luaL_Buffer *b, lua_State *co, lua_Debug *ar) {
  lua_State *L = b->L;
  lua_getinfo(co, "Slnf", ar);
  if (co != L) lua_xmove(co, L, 1);
  if (*ar->namewhat) {
    lua_pop(L, 1);
    lua_pushstring(L, ar->name);
  } else if (*ar->what == 'm') {
    lua_pop(L, 1);
    lua_pushliteral(L, "<module>");
  } else {
    /* A method called through a value (Thread.run from the thread's start)
     * has no name at the call: find it where the globals lead. */
    int budget = 4000;
    lua_pushglobaltable(L);
    lua_pushvalue(L, -2);
    if (tl__find_name(L, -2, 3, &budget)) { /* f G f key */
      lua_replace(L, -4);
      lua_pop(L, 2);
    } else {
      lua_pop(L, 3);
      lua_pushliteral(L, "<lambda>");
    }
  }
  lua_pushfstring(L, "  File \"%s\", line %d, in %s\n", ar->short_src, ar->currentline,
                  lua_tostring(L, -1));
  lua_remove(L, -2);
  luaL_addvalue(b);
}

/* tb(co, level): co's stack from level outwards as Python prints it: the
 * oldest call first, C functions (error, the C halves) left out. A deep
 * stack keeps its oldest and newest frames. */
static int f_traceback(lua_State *L) {
  lua_State *co = lua_tothread(L, 1);
  int level = (int)lua_tointeger(L, 2), lo = level, hi = level + 1, top, i;
  lua_Debug ar;
  luaL_Buffer b;
  /* How deep the stack is, by bisection: lua_getstack costs the depth. */
  while (lua_getstack(co, hi, &ar)) lo = hi, hi *= 2;
  while (lo + 1 < hi) {
    int m = lo + (hi - lo) / 2;
    if (lua_getstack(co, m, &ar)) lo = m; else hi = m;
  }
  top = lo + 1; /* levels [level, top) exist */
  luaL_buffinit(L, &b);
  luaL_addstring(&b, TL__TB_HEAD);
  for (i = top - 1; i >= level; i--) {
    if (top - i > TL__TB_FIRST && i - level >= TL__TB_LAST) {
      lua_pushfstring(L, "  [... %d calls not shown ...]\n", top - level - TL__TB_FIRST - TL__TB_LAST);
      luaL_addvalue(&b);
      i = level + TL__TB_LAST;
      continue;
    }
    lua_getstack(co, i, &ar);
    lua_getinfo(co, "S", &ar);
    if (*ar.what != 'C') tl__add_frame(&b, co, &ar);
  }
  luaL_pushresult(&b);
  return 1;
}

/* Pushes the Python-style traceback of co from level on, or nothing (and
 * returns 0) when it cannot be made, e.g. out of memory. */
static int tl__push_traceback(lua_State *L, lua_State *co, int level) {
  lua_pushcfunction(L, f_traceback);
  lua_pushthread(co);
  if (co != L) lua_xmove(co, L, 1);
  lua_pushinteger(L, level);
  if (lua_pcall(L, 2, 1, 0) != LUA_OK) {
    lua_pop(L, 1);
    return 0;
  }
  return 1;
}

/* Keeps the error value and records where it happened. Runs inside Lua's
 * error handling: it must not raise, so it sets fields raw (a user's error
 * object may have a __newindex) and makes the traceback protected. */
int tl_msghandler(lua_State *L) {
  int tb;
  tl__mem_grace++;
  tl_typed_error(L, 1);
  if (lua_type(L, 1) == LUA_TTABLE) {
    lua_pushliteral(L, "traceback");
    if (lua_rawget(L, 1) == LUA_TNIL && tl__push_traceback(L, L, 1)) {
      lua_pushliteral(L, "traceback");
      lua_insert(L, -2);
      lua_rawset(L, 1);
    }
    lua_settop(L, 1);
    tl__mem_grace--;
    return 1;
  }
  /* Any other value becomes a table that keeps it, so it can be printed with
   * its traceback and still be told apart from an error object. */
  tb = tl__push_traceback(L, L, 1);
  lua_createtable(L, 0, 2);
  lua_pushvalue(L, 1);
  lua_setfield(L, -2, "value");
  if (tb) {
    lua_insert(L, -2);
    lua_setfield(L, -2, "traceback");
  }
  tl__mem_grace--;
  return 1;
}

/* ---- reporting ------------------------------------------------------- */

/* The value the user raised: the error object, or what the message handler
 * wrapped (a string from error("..."), a number...). */
static void tl__push_raised(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  if (lua_type(L, idx) == LUA_TTABLE) {
    lua_pushliteral(L, "type");
    if (lua_rawget(L, idx) != LUA_TSTRING) {
      lua_pushliteral(L, "value");
      if (lua_rawget(L, idx) != LUA_TNIL) {
        lua_remove(L, -2);
        return;
      }
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  lua_pushvalue(L, idx);
}

/* The class name of the raised value at idx (as tl__push_raised gives it):
 * its type field, TypeError or MemoryError for Lua's own messages, else
 * NULL. */
static const char *tl__class_of(lua_State *L, int idx, int *prefix) {
  const char *s;
  *prefix = 0;
  idx = lua_absindex(L, idx);
  if (lua_type(L, idx) == LUA_TTABLE) {
    lua_pushliteral(L, "type");
    lua_rawget(L, idx);
    s = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    lua_pop(L, 1); /* the string stays alive in the table */
    return s;
  }
  if (lua_type(L, idx) != LUA_TSTRING) return NULL;
  s = lua_tostring(L, idx);
  *prefix = 1;
  if (strcmp(s, "not enough memory") == 0) return "MemoryError";
  if (strstr(s, "bad argument #")) return "TypeError";
  if (strstr(s, "stack overflow")) return "RecursionError";
  *prefix = 0;
  return NULL;
}

/* message(raised): "Type: text" as Python's last traceback line. */
static int f_message(lua_State *L) {
  int prefix;
  const char *cls = tl__class_of(L, 1, &prefix);
  if (cls && strcmp(cls, "MemoryError") == 0 && prefix) {
    char msg[160];
    tl_memory_error_text(msg, sizeof msg);
    lua_pushfstring(L, "MemoryError: %s", msg);
    return 1;
  }
  if (prefix) lua_pushfstring(L, "%s: ", cls);
  else lua_pushliteral(L, "");
  luaL_tolstring(L, 1, NULL);
  lua_concat(L, 2);
  return 1;
}

/* report(err, heading): writes heading, the traceback and the message in
 * one piece. The message is made under its own pcall: a __tostring that
 * raises gives Python's "<exception str() failed>". */
static int f_report(lua_State *L) {
  const char *heading = lua_touserdata(L, 2);
  const char *parts[6];
  size_t lens[6];
  int n = 0, status, prefix;
  size_t len;
  const char *s;
  lua_settop(L, 1);
  if (heading) parts[n] = heading, lens[n++] = strlen(heading);
  if (lua_type(L, 1) == LUA_TTABLE) {
    lua_pushliteral(L, "traceback");
    lua_rawget(L, 1); /* 2 */
  } else {
    lua_pushnil(L);
  }
  if (lua_type(L, 2) == LUA_TSTRING) {
    s = lua_tolstring(L, 2, &len);
    parts[n] = s, lens[n++] = len;
  }
  tl__push_raised(L, 1); /* 3 */
  lua_pushcfunction(L, f_message);
  lua_pushvalue(L, 3);
  status = lua_pcall(L, 1, 1, 0); /* 4 */
  if (status == LUA_OK && lua_type(L, 4) == LUA_TSTRING) {
    s = lua_tolstring(L, 4, &len);
    parts[n] = s, lens[n++] = len;
  } else {
    const char *cls = tl__class_of(L, 3, &prefix);
    if (cls) parts[n] = cls, lens[n++] = strlen(cls);
    if (status == LUA_ERRMEM) {
      /* No room for "Type: text": write the pieces as they are. */
      if (lua_type(L, 3) == LUA_TTABLE) {
        lua_pushliteral(L, "message");
        if (lua_rawget(L, 3) == LUA_TSTRING) {
          s = lua_tolstring(L, -1, &len);
          parts[n] = ": ", lens[n++] = 2;
          parts[n] = s, lens[n++] = len;
        }
      } else if (lua_type(L, 3) == LUA_TSTRING) {
        s = lua_tolstring(L, 3, &len);
        parts[n] = s, lens[n++] = len;
      }
      if (!cls && lua_type(L, 3) != LUA_TSTRING)
        parts[n] = "<exception str() failed: out of memory>", lens[n] = strlen(parts[n]), n++;
    } else {
      s = cls ? ": <exception str() failed>" : "<exception str() failed>";
      parts[n] = s, lens[n++] = strlen(s);
    }
  }
  tl_write_parts(1, parts, lens, n, 1);
  return 0;
}

void tl_report_exception(lua_State *L, int idx, const char *heading) {
  int top = lua_gettop(L), status;
  idx = lua_absindex(L, idx);
  tl__mem_grace++;
  lua_pushcfunction(L, f_report);
  lua_pushvalue(L, idx);
  lua_pushlightuserdata(L, (void *)heading);
  status = lua_pcall(L, 2, 0, 0);
  tl__mem_grace--;
  if (status != LUA_OK) {
    static const char fixed[] =
      "threadlab: an error happened, and reporting it failed too"
      " (out of memory?); its text is lost\n";
    const char *parts[2] = { heading ? heading : "", fixed };
    size_t lens[2] = { heading ? strlen(heading) : 0, sizeof fixed - 1 };
    tl_write_parts(1, parts, lens, 2, 0);
  }
  lua_settop(L, top);
}

/* excepthook_args(err, thread): {exc_type=, exc_value=, exc_traceback=,
 * thread=} for threading.excepthook. */
static int f_hook_args(lua_State *L) {
  int prefix;
  const char *cls;
  lua_createtable(L, 0, 4); /* 3 */
  tl__push_raised(L, 1);
  cls = tl__class_of(L, -1, &prefix);
  lua_setfield(L, 3, "exc_value");
  lua_getfield(L, LUA_REGISTRYINDEX, TL__ERRORS);
  lua_getfield(L, -1, cls ? cls : "Exception");
  lua_setfield(L, 3, "exc_type");
  lua_pop(L, 1);
  if (lua_type(L, 1) == LUA_TTABLE) {
    lua_pushliteral(L, "traceback");
    lua_rawget(L, 1);
  } else {
    lua_pushnil(L);
  }
  lua_setfield(L, 3, "exc_traceback");
  lua_pushvalue(L, 2);
  lua_setfield(L, 3, "thread");
  return 1;
}

/* Calls threading.excepthook(args) for the error at idx that ended the
 * running thread (the Lua object `thread_ref` in the registry). */
static int f_call_hook(lua_State *L) {
  lua_getfield(L, LUA_REGISTRYINDEX, "threadlab.threading");
  lua_getfield(L, -1, "excepthook"); /* 4 */
  lua_pushcfunction(L, f_hook_args);
  lua_pushvalue(L, 1);
  lua_pushvalue(L, 2);
  lua_call(L, 2, 1);
  lua_call(L, 1, 0);
  return 0;
}

void tl_thread_excepthook(lua_State *L, int idx, int thread_ref, const char *name) {
  int top = lua_gettop(L), status;
  char heading[300];
  idx = lua_absindex(L, idx);
  snprintf(heading, sizeof heading, "Exception in thread %s:\n", name);
  /* A hook that ran out of memory must still be reported. */
  tl__mem_grace++;
  lua_pushcfunction(L, tl_msghandler);
  lua_pushcfunction(L, f_call_hook);
  lua_pushvalue(L, idx);
  lua_rawgeti(L, LUA_REGISTRYINDEX, thread_ref);
  status = lua_pcall(L, 2, 0, top + 1);
  tl__mem_grace--;
  if (status == LUA_ERRMEM) {
    tl_report_exception(L, idx, heading);
  } else if (status != LUA_OK) {
    /* CPython: the hook's own error is printed, under this heading. */
    tl_report_exception(L, -1, "Exception in threading.excepthook:\n");
  }
  lua_settop(L, top);
}

/* threading.excepthook's default: "Exception in thread NAME:" and the
 * traceback to stderr; SystemExit passes silently, as in CPython. */
static int f_default_excepthook(lua_State *L) {
  char heading[300];
  const char *name = NULL;
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_getfield(L, 1, "exc_type");
  lua_getfield(L, LUA_REGISTRYINDEX, TL__ERRORS);
  lua_getfield(L, -1, "SystemExit");
  if (lua_rawequal(L, -1, -3)) return 0;
  lua_settop(L, 1);
  lua_getfield(L, 1, "thread");
  if (lua_type(L, -1) == LUA_TTABLE) {
    lua_getfield(L, -1, "name");
    name = lua_tostring(L, -1);
  }
  snprintf(heading, sizeof heading, "Exception in thread %s:\n",
           name ? name : tl__self ? tl__self->name : "?");
  lua_settop(L, 1);
  /* The report wants the error as the message handler left it: an error
   * object carries its traceback; any other value goes in a wrapper. */
  lua_getfield(L, 1, "exc_value");
  if (lua_type(L, -1) != LUA_TTABLE) {
    lua_createtable(L, 0, 2);
    lua_insert(L, -2);
    lua_setfield(L, -2, "value");
    lua_getfield(L, 1, "exc_traceback");
    lua_setfield(L, -2, "traceback");
  }
  tl_report_exception(L, -1, heading);
  return 0;
}

void tl_errors_open(lua_State *L) {
  lua_pushcfunction(L, f_default_excepthook);
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
