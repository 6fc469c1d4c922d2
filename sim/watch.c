/* lab.watch("g"): every read and write of the global g is recorded with the
 * thread and the value (WATCH_READ, WATCH_WRITE), and a write based on a
 * stale read is flagged (LOST_UPDATE, and a message the first time): the
 * thread read g, another thread wrote g, and then the first one wrote g.
 *
 * The value moves out of _G into a watch record; _G's metatable sends the
 * name's reads and writes here. The metamethods are C, so watching adds no
 * switch point of its own: with statement switch points g = g + 1 is still
 * one step, with instruction switch points a switch can still fall between
 * its read and its write.
 *
 * The value in a WATCH_READ/WATCH_WRITE event: reason 0 an integer (arg),
 * 1 a float (arg holds its bits), 2 a boolean (arg 0/1), 3 nil, 4 a string
 * (arg is its text offset), 5 anything else. obj is the watch's id, named by
 * a LOCK_NEW event of type TL_OBJ_GLOBAL. */
#include "locks.h"

#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

#define TL__WATCHES "threadlab.watches"   /* name -> watch record */
#define TL__WATCH "threadlab.watch"       /* the records' metatable */
#define TL__PREV_INDEX "threadlab.watch.index"
#define TL__PREV_NEWINDEX "threadlab.watch.newindex"

/* User values: 1 the value, 2 {tid -> version read}, 3 {tid -> value read} */
typedef struct tl_watch {
  uint32_t id;
  uint32_t last_writer;   /* thread id */
  lua_Integer version;    /* writes so far, from 1 */
  int told;               /* the first lost update was told */
  char name[TL_LOCK_NAME];
} tl_watch;

static void tl__emit_value(lua_State *L, int idx, uint16_t kind, uint32_t id) {
  uint16_t reason = 5;
  uint64_t arg = 0;
  switch (lua_type(L, idx)) {
    case LUA_TNUMBER:
      if (lua_isinteger(L, idx)) {
        reason = 0;
        arg = (uint64_t)lua_tointeger(L, idx);
      } else {
        double d = lua_tonumber(L, idx);
        reason = 1;
        memcpy(&arg, &d, sizeof arg);
      }
      break;
    case LUA_TBOOLEAN: reason = 2; arg = (uint64_t)lua_toboolean(L, idx); break;
    case LUA_TNIL: reason = 3; break;
    case LUA_TSTRING: {
      size_t len;
      const char *s = lua_tolstring(L, idx, &len);
      reason = 4;
      if (tl_trace_global) arg = tl_trace_str(tl_trace_global, s, len);
      break;
    }
    default: break;
  }
  tl_emit(kind, reason, id, arg);
}

/* The record for key (at idx) if that global is watched, pushed; else NULL
 * and nothing pushed. */
static tl_watch *tl__find(lua_State *L, int idx) {
  tl_watch *w;
  if (lua_type(L, idx) != LUA_TSTRING) return NULL;
  if (lua_getfield(L, LUA_REGISTRYINDEX, TL__WATCHES) != LUA_TTABLE) {
    lua_pop(L, 1);
    return NULL;
  }
  lua_pushvalue(L, idx);
  lua_rawget(L, -2);
  lua_remove(L, -2);
  w = luaL_testudata(L, -1, TL__WATCH);
  if (!w) lua_pop(L, 1);
  return w;
}

/* _G.__index(t, k) */
static int f_index(lua_State *L) {
  tl_watch *w = tl__find(L, 2);
  lua_Integer tid = tl__self ? tl__self->id : 0;
  if (!w) {
    switch (lua_getfield(L, LUA_REGISTRYINDEX, TL__PREV_INDEX)) {
      case LUA_TFUNCTION:
        lua_pushvalue(L, 1);
        lua_pushvalue(L, 2);
        lua_call(L, 2, 1);
        return 1;
      case LUA_TNIL:
        return 1;
      default:
        lua_pushvalue(L, 2);
        lua_gettable(L, -2);
        return 1;
    }
  }
  /* stack: t k w */
  lua_getiuservalue(L, 3, 1);           /* 4: the value */
  lua_getiuservalue(L, 3, 2);           /* 5: versions read */
  lua_pushinteger(L, w->version);
  lua_rawseti(L, 5, tid);
  lua_getiuservalue(L, 3, 3);           /* 6: values read */
  lua_pushvalue(L, 4);
  lua_rawseti(L, 6, tid);
  tl__emit_value(L, 4, TL_EV_WATCH_READ, w->id);
  lua_settop(L, 4);
  return 1;
}

static void tl__thread_name(uint32_t tid, char *buf, size_t len) {
  tl_thread *t;
  snprintf(buf, len, "thread #%u", tid);
  tl_mutex_lock(&tl_W->mu);
  for (t = tl_W->live; t; t = t->next)
    if (t->id == tid) {
      snprintf(buf, len, "%s", t->name);
      break;
    }
  tl_mutex_unlock(&tl_W->mu);
}

/* A lost update: the stack holds the value this thread read (at `read`),
 * the value before this write (at `before`) and the new one (at `now`). */
static void tl__lost(lua_State *L, tl_watch *w, int read, int before, int now) {
  char other[TL_LOCK_NAME];
  const char *me = tl__self ? tl__self->name : "?";
  const char *msg;
  tl__thread_name(w->last_writer, other, sizeof other);
  luaL_tolstring(L, read, NULL);
  luaL_tolstring(L, before, NULL);
  luaL_tolstring(L, now, NULL);
  /* The event's first line is the marker's label (the value written over
   * and the one written), the rest says how it happened. */
  msg = lua_pushfstring(L, "lost update of %s: %s \xe2\x86\x92 %s\n%s read %s = %s, then %s "
                        "wrote %s = %s, then %s wrote %s = %s over it",
                        w->name, lua_tostring(L, -2), lua_tostring(L, -1), me, w->name,
                        lua_tostring(L, -3), other, w->name, lua_tostring(L, -2), me, w->name,
                        lua_tostring(L, -1));
  tl_emit_text(TL_EV_LOST_UPDATE, w->id, msg, strlen(msg));
  lua_pop(L, 1);
  msg = lua_pushfstring(L, "lost update of %s: %s read %s = %s, then %s wrote %s = %s, "
                        "then %s wrote %s = %s over it",
                        w->name, me, w->name, lua_tostring(L, -3), other, w->name,
                        lua_tostring(L, -2), me, w->name, lua_tostring(L, -1));
  if (!w->told) {
    w->told = 1;
    lua_pushfstring(L, "threadlab: %s (lab.count(\"lost-update\") counts them all)\n", msg);
    tl_write_out(1, lua_tostring(L, -1), lua_rawlen(L, -1));
    lua_pop(L, 1);
  }
  lua_pop(L, 4);
}

/* _G.__newindex(t, k, v) */
static int f_newindex(lua_State *L) {
  tl_watch *w = tl__find(L, 2);
  lua_Integer tid = tl__self ? tl__self->id : 0;
  int lost;
  if (!w) {
    if (lua_getfield(L, LUA_REGISTRYINDEX, TL__PREV_NEWINDEX) == LUA_TFUNCTION) {
      lua_pushvalue(L, 1);
      lua_pushvalue(L, 2);
      lua_pushvalue(L, 3);
      lua_call(L, 3, 0);
    } else if (!lua_isnil(L, -1)) {
      lua_pushvalue(L, 2);
      lua_pushvalue(L, 3);
      lua_settable(L, -3);
    } else {
      lua_settop(L, 3);
      lua_rawset(L, 1);
    }
    return 0;
  }
  /* stack: 1 t, 2 k, 3 v, 4 w */
  lua_getiuservalue(L, 4, 1);              /* 5: the value before */
  lua_getiuservalue(L, 4, 2);              /* 6: versions read */
  lua_getiuservalue(L, 4, 3);              /* 7: values read */
  lua_rawgeti(L, 7, tid);                  /* 8: what this thread read */
  tl__emit_value(L, 3, TL_EV_WATCH_WRITE, w->id);
  lost = lua_rawgeti(L, 6, tid) == LUA_TNUMBER && lua_tointeger(L, -1) != w->version;
  lua_pop(L, 1);
  if (lost) tl__lost(L, w, 8, 5, 3);
  /* Forget this thread's read: a write of its own without a read is blind. */
  lua_pushnil(L);
  lua_rawseti(L, 6, tid);
  lua_pushnil(L);
  lua_rawseti(L, 7, tid);
  lua_pushvalue(L, 3);
  lua_setiuservalue(L, 4, 1);
  w->version++;
  w->last_writer = (uint32_t)tid;
  return 0;
}

/* Puts the metamethods on _G's metatable, keeping any there were. */
static void tl__hook_globals(lua_State *L) {
  lua_pushglobaltable(L);
  if (!lua_getmetatable(L, -1)) {
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setmetatable(L, -3);
  }
  if (lua_getfield(L, -1, "__index") == LUA_TFUNCTION && lua_tocfunction(L, -1) == f_index) {
    lua_pop(L, 3);
    return;
  }
  lua_setfield(L, LUA_REGISTRYINDEX, TL__PREV_INDEX);
  lua_getfield(L, -1, "__newindex");
  lua_setfield(L, LUA_REGISTRYINDEX, TL__PREV_NEWINDEX);
  lua_pushcfunction(L, f_index);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, f_newindex);
  lua_setfield(L, -2, "__newindex");
  lua_pop(L, 2);
}

/* lab.watch(name) */
static int f_watch(lua_State *L) {
  const char *name;
  tl_watch *w;
  if (lua_type(L, 1) != LUA_TSTRING)
    return tl_raise(L, "TypeError", "lab.watch takes a global's name, not a %s",
                    luaL_typename(L, 1));
  name = lua_tostring(L, 1);
  lua_settop(L, 1);
  if (lua_getfield(L, LUA_REGISTRYINDEX, TL__WATCHES) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, TL__WATCHES);
  }
  lua_pushvalue(L, 1);
  if (lua_rawget(L, 2) != LUA_TNIL) return 0; /* already watched */
  lua_pop(L, 1);
  w = lua_newuserdatauv(L, sizeof *w, 3);     /* 3 */
  memset(w, 0, sizeof *w);
  w->version = 1;
  snprintf(w->name, sizeof w->name, "%s", name);
  luaL_setmetatable(L, TL__WATCH);
  lua_pushglobaltable(L);
  lua_pushvalue(L, 1);
  lua_rawget(L, -2);                          /* the current value */
  lua_setiuservalue(L, 3, 1);
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  lua_rawset(L, -3);                          /* out of _G */
  lua_pop(L, 1);
  lua_newtable(L);
  lua_setiuservalue(L, 3, 2);
  lua_newtable(L);
  lua_setiuservalue(L, 3, 3);
  lua_pushvalue(L, 1);
  lua_pushvalue(L, 3);
  lua_rawset(L, 2);
  tl__hook_globals(L);
  if (tl_trace_global) {
    w->id = tl_trace_new_id(tl_trace_global);
    tl_emit(TL_EV_LOCK_NEW, TL_OBJ_GLOBAL, w->id, tl_trace_str(tl_trace_global, name, strlen(name)));
  }
  return 0;
}

/* lab.unwatch(name): the global goes back into _G, unwatched. */
static int f_unwatch(lua_State *L) {
  if (lua_type(L, 1) != LUA_TSTRING)
    return tl_raise(L, "TypeError", "lab.unwatch takes a global's name, not a %s",
                    luaL_typename(L, 1));
  lua_settop(L, 1);
  if (lua_getfield(L, LUA_REGISTRYINDEX, TL__WATCHES) != LUA_TTABLE) return 0;
  lua_pushvalue(L, 1);
  if (lua_rawget(L, 2) == LUA_TNIL) return 0;
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  lua_rawset(L, 2);
  lua_pushglobaltable(L);
  lua_pushvalue(L, 1);
  lua_getiuservalue(L, 3, 1);
  lua_rawset(L, -3);
  return 0;
}

int luaopen_tl_watch(lua_State *L) {
  static const luaL_Reg lib[] = {
    { "watch",   f_watch   },
    { "unwatch", f_unwatch },
    { NULL,      NULL      }
  };
  luaL_newmetatable(L, TL__WATCH);
  lua_pop(L, 1);
  luaL_newlib(L, lib);
  return 1;
}
