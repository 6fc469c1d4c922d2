/* threading._prim: what the Lua halves of the primitives (sync.lua,
 * queue.lua) need from C: trace events about their objects, object ids,
 * the calling thread's id, and internal locks (untraced, and no part of the
 * wait-for graph: a Condition's waiter locks, a Queue's mutex). */
#include "locks.h"

#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

/* emit(kind, obj, arg, reason): one event about obj; kind from kinds. */
static int f_emit(lua_State *L) {
  lua_Integer kind = luaL_checkinteger(L, 1);
  lua_Integer obj = luaL_optinteger(L, 2, 0);
  lua_Integer arg = luaL_optinteger(L, 3, 0);
  lua_Integer reason = luaL_optinteger(L, 4, 0);
  luaL_argcheck(L, kind > 0 && kind < TL_EV__COUNT && !tl_event_kind_has_text((unsigned)kind),
                1, "not an event kind with a number argument");
  tl_emit((uint16_t)kind, (uint16_t)reason, (uint32_t)obj, (uint64_t)arg);
  return 0;
}

/* new_id() -> a new object id, unique across forked processes */
static int f_new_id(lua_State *L) {
  lua_pushinteger(L, tl_trace_global ? tl_trace_new_id(tl_trace_global) : 0);
  return 1;
}

/* name(id, type, name): names the object in the trace (LOCK_NEW, whose
 * reason is the type, one of types) */
static int f_name(lua_State *L) {
  lua_Integer id = luaL_checkinteger(L, 1);
  lua_Integer type = luaL_checkinteger(L, 2);
  size_t len;
  const char *name = luaL_checklstring(L, 3, &len);
  if (tl_trace_global)
    tl_emit(TL_EV_LOCK_NEW, (uint16_t)type, (uint32_t)id,
            tl_trace_str(tl_trace_global, name, len));
  return 0;
}

/* tid() -> the calling thread's threadlab id (1 = MainThread) */
static int f_tid(lua_State *L) {
  lua_pushinteger(L, tl__self ? tl__self->id : 0);
  return 1;
}

/* is_interrupt(e) -> whether e is a KeyboardInterrupt (as C asks it) */
static int f_is_interrupt(lua_State *L) {
  lua_pushboolean(L, tl_is_interrupt(L, 1));
  return 1;
}

/* waiting(text or nil): what the calling thread's next waits are for, as
 * :threads shows it ("Event Event-3"); nil when done. */
static int f_waiting(lua_State *L) {
  tl_thread *self = tl__self;
  const char *s = luaL_optstring(L, 1, "");
  if (self) snprintf(self->waits_for, sizeof self->waits_for, "%s", s);
  return 0;
}

/* internal_lock([cond]) -> a Lock for a primitive's own use; a Condition's
 * waiter lock says what its waiter waits for (cond._why, a key of
 * TL_WAIT_WHYS) and on which primitive (cond._for), for the hang report.
 * Read here, so a wait costs no Lua instructions more. */
static int f_internal_lock(lua_State *L) {
  static const char *const keys[] = {
#define TL__WHY_KEY(name, key, words, hang_words) key,
    TL_WAIT_WHYS(TL__WHY_KEY)
#undef TL__WHY_KEY
    NULL
  };
  int why = -1;
  const char *name = "internal";
  if (lua_istable(L, 1)) {
    lua_getfield(L, 1, "_why");
    why = luaL_checkoption(L, -1, NULL, keys);
    if (lua_getfield(L, 1, "_for") == LUA_TSTRING) name = lua_tostring(L, -1);
  }
  tl_lockhdr *k = tl__lock_push(L, sizeof(tl_lockhdr), TL_LOCK_MT, TL_OBJ_LOCK, name, 1);
  k->why = (uint8_t)(why + 1);
  return 1;
}

int luaopen_tl_prim(lua_State *L) {
  static const luaL_Reg lib[] = {
    { "emit",          f_emit          },
    { "new_id",        f_new_id        },
    { "name",          f_name          },
    { "tid",           f_tid           },
    { "internal_lock", f_internal_lock },
    { "waiting",       f_waiting       },
    { "is_interrupt",  f_is_interrupt  },
    { "kinds",         NULL            },
    { "types",         NULL            },
    { NULL,            NULL            }
  };
  static const char *const types[] = {
    NULL,
#define TL__TYPE_NAME(name, text) #name,
    TL_OBJECT_TYPES(TL__TYPE_NAME)
#undef TL__TYPE_NAME
  };
  static const char *const kinds[] = {
#define TL__KIND_NAME(name, text) #name,
    TL_EVENT_KINDS(TL__KIND_NAME)
#undef TL__KIND_NAME
  };
  size_t i;
  luaL_newlib(L, lib);
  lua_createtable(L, 0, TL_EV__COUNT);
  for (i = 1; i < sizeof kinds / sizeof *kinds; i++) {
    lua_pushinteger(L, (lua_Integer)i);
    lua_setfield(L, -2, kinds[i]);
  }
  lua_setfield(L, -2, "kinds");
  lua_createtable(L, 0, TL_OBJ__COUNT);
  for (i = 1; i < sizeof types / sizeof *types; i++) {
    lua_pushinteger(L, (lua_Integer)i);
    lua_setfield(L, -2, types[i]);
  }
  lua_setfield(L, -2, "types");
  return 1;
}
