/* lab: what threadlab adds for teaching (marks in the timeline, the GIL's
 * settings). */
#include "engine.h"

#include <lauxlib.h>
#include <string.h>

static int f_mark(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  tl_emit_text(TL_EV_MARK, 0, s, len);
  return 0;
}

static const char *const tl__policies[] = { "py3", "py2", NULL };
static const char *const tl__points[] = { "instruction", "statement", NULL };

/* lab.gil{policy=, switch_interval=ms, switch_points=, check_interval=}
 * sets what is given and returns the settings as a table. */
static int f_gil(lua_State *L) {
  tl_config cfg = tl_W->cfg;
  if (!lua_isnoneornil(L, 1)) {
    luaL_checktype(L, 1, LUA_TTABLE);
    if (lua_getfield(L, 1, "policy") != LUA_TNIL)
      cfg.policy = luaL_checkoption(L, -1, NULL, tl__policies);
    if (lua_getfield(L, 1, "switch_points") != LUA_TNIL)
      cfg.switch_points = luaL_checkoption(L, -1, NULL, tl__points);
    if (lua_getfield(L, 1, "switch_interval") != LUA_TNIL) {
      double ms = luaL_checknumber(L, -1);
      if (!(ms > 0) || ms > 60000)
        return tl_raise(L, "ValueError", "switch_interval must be in (0, 60000] ms");
      cfg.switch_interval_ns = (uint64_t)(ms * 1e6);
    }
    if (lua_getfield(L, 1, "check_interval") != LUA_TNIL) {
      lua_Integer n = luaL_checkinteger(L, -1);
      if (n < 1 || n > 1000000000)
        return tl_raise(L, "ValueError", "check_interval must be a positive integer");
      cfg.check_interval = (int)n;
    }
    lua_pop(L, 4);
    tl_gil_configure(&cfg);
  }
  lua_createtable(L, 0, 4);
  lua_pushstring(L, tl__policies[cfg.policy]);
  lua_setfield(L, -2, "policy");
  lua_pushstring(L, tl__points[cfg.switch_points]);
  lua_setfield(L, -2, "switch_points");
  lua_pushnumber(L, (double)cfg.switch_interval_ns / 1e6);
  lua_setfield(L, -2, "switch_interval");
  lua_pushinteger(L, cfg.check_interval);
  lua_setfield(L, -2, "check_interval");
  return 1;
}

/* lab.trace_stats() -> events, lost */
static int f_trace_stats(lua_State *L) {
  lua_pushinteger(L, tl_trace_global ? (lua_Integer)tl_trace_count(tl_trace_global) : 0);
  lua_pushinteger(L, tl_trace_global ? (lua_Integer)tl_trace_lost(tl_trace_global) : 0);
  return 2;
}

/* lab.count(kind) -> how many events of that kind the trace holds */
static int f_count(lua_State *L) {
  const char *kind = luaL_checkstring(L, 1);
  size_t n, i, c = 0;
  unsigned k;
  for (k = 1; k < TL_EV__COUNT; k++)
    if (strcmp(tl_event_kind_name(k), kind) == 0) break;
  if (k == TL_EV__COUNT) return tl_raise(L, "ValueError", "no event kind '%s'", kind);
  n = tl_trace_global ? tl_trace_count(tl_trace_global) : 0;
  for (i = 0; i < n; i++)
    if (tl_trace_at(tl_trace_global, i)->kind == k) c++;
  lua_pushinteger(L, (lua_Integer)c);
  return 1;
}

int luaopen_tl_lab(lua_State *L) {
  static const luaL_Reg lib[] = {
    { "mark",        f_mark        },
    { "gil",         f_gil         },
    { "trace_stats", f_trace_stats },
    { "count",       f_count       },
    { NULL,          NULL          }
  };
  luaL_newlib(L, lib);
  return 1;
}
