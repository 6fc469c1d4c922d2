/* Opens threadlab's modules into a fresh state: the C halves, then the Lua
 * halves, which are built into the binary so it runs from anywhere. */
#include "locks.h"
#include "io.h"
#include "embed.h"

#include <lauxlib.h>
#include <lualib.h>

/* The Lua halves, as the build compiled them (scripts/luadump.c, into
 * TL_LUAC_DIR): loading bytecode, a start skips parsing them. The chunk
 * names are the files' own ("=sync.lua"), set when they were compiled. */
#define TL__HALF(sym, file) TL_EMBED(sym, TL_LUAC_DIR "/" file ".luac")

TL__HALF(tl__lua_errors, "errors");
TL__HALF(tl__lua_threading, "threading");
TL__HALF(tl__lua_sync, "sync");
TL__HALF(tl__lua_queue, "queue");
TL__HALF(tl__lua_lab, "lab");
TL__HALF(tl__lua_lesson, "lesson");
TL__HALF(tl__lua_mp, "multiprocessing");
TL__HALF(tl__lua_generator, "generator");
TL__HALF(tl__lua_greenlet, "greenlet");
TL__HALF(tl__lua_gevent, "gevent");
TL__HALF(tl__lua_asyncio, "asyncio");
TL__HALF(tl__lua_mpsync, "mpsync");
TL__HALF(tl__lua_mpipc, "mpipc");
TL__HALF(tl__lua_mppool, "mppool");
TL__HALF(tl__lua_mpmanager, "mpmanager");
TL__HALF(tl__lua_futures, "futures");
TL__HALF(tl__lua_challenge, "challenge");

/* The methods of a lock type, from its metatable (made by its luaopen). */
static int tl__lock_methods(lua_State *L) {
  luaL_getmetatable(L, TL_LOCK_MT);
  lua_getfield(L, -1, "methods");
  return 1;
}

static int tl__rlock_methods(lua_State *L) {
  luaL_getmetatable(L, TL_RLOCK_MT);
  lua_getfield(L, -1, "methods");
  return 1;
}

#define TL__LUA(sym) sym, sym##_end

/* Every part of threadlab's Lua API, in the order they open, as lite's
 * api.c lists its libs. A part is a C half (a luaopen_* that pushes one
 * value) or a Lua half (called with the table of the parts opened before
 * it, which it takes by name: `local parts = ...`), never both. Each lands
 * in that table under its name, and as a global if it has one. */
static const struct tl__part {
  const char *name;
  lua_CFunction c_half;
  const char *lua, *lua_end;
  const char *global;
} tl__parts[] = {
    {"arg_checks",     tl_open_arg_checks,   NULL, NULL,                 NULL},
    {"errors",         NULL,                 TL__LUA(tl__lua_errors),    NULL},
    {"time",           luaopen_tl_time,      NULL, NULL,                 "time"},
    {"lab_core",       luaopen_tl_lab,       NULL, NULL,                 NULL},
    {"watch",          luaopen_tl_watch,     NULL, NULL,                 NULL},
    {"lab",            NULL,                 TL__LUA(tl__lua_lab),       "lab"},
    {"threading_core", luaopen_tl_threading, NULL, NULL,                 NULL},
    {"Lock",           luaopen_tl_lock,      NULL, NULL,                 NULL},
    {"lock_methods",   tl__lock_methods,     NULL, NULL,                 NULL},
    {"deadlock",       luaopen_tl_deadlock,  NULL, NULL,                 NULL},
    {"threading",      NULL,                 TL__LUA(tl__lua_threading), "threading"},
    {"RLock",          luaopen_tl_rlock,     NULL, NULL,                 NULL},
    {"rlock_methods",  tl__rlock_methods,    NULL, NULL,                 NULL},
    {"prim",           luaopen_tl_prim,      NULL, NULL,                 NULL},
    {"sync",           NULL,                 TL__LUA(tl__lua_sync),      NULL},
    {"queue",          NULL,                 TL__LUA(tl__lua_queue),     "queue"},
    {"proc",           luaopen_tl_proc,      NULL, NULL,                 NULL},
    {"io",             luaopen_tl_io,        NULL, NULL,                 NULL},
    {"socket",         luaopen_tl_socket,    NULL, NULL,                 "socket"},
    {"select",         luaopen_tl_select,    NULL, NULL,                 "select"},
    {"multiprocessing", NULL,                TL__LUA(tl__lua_mp),        "multiprocessing"},
    {"ipc",            luaopen_tl_ipc,       NULL, NULL,                 NULL},
    {"mp_sync",        NULL,                 TL__LUA(tl__lua_mpsync),    NULL},
    {"mp_ipc",         NULL,                 TL__LUA(tl__lua_mpipc),     NULL},
    {"mp_pool",        NULL,                 TL__LUA(tl__lua_mppool),    NULL},
    {"mp_manager",     NULL,                 TL__LUA(tl__lua_mpmanager), NULL},
    {"concurrent",     NULL,                 TL__LUA(tl__lua_futures),   "concurrent"},
    {"lesson_core",    luaopen_tl_lesson,    NULL, NULL,                 NULL},
    {"sandbox",        luaopen_tl_sandbox,   NULL, NULL,                 NULL},
    {"lesson",         NULL,                 TL__LUA(tl__lua_lesson),    "lesson"},
    {"challenge",      NULL,                 TL__LUA(tl__lua_challenge), "challenge"},
    {"green_core",     luaopen_tl_green,     NULL, NULL,                 NULL},
    {"generator",      NULL,                 TL__LUA(tl__lua_generator), "generator"},
    {"greenlet",       NULL,                 TL__LUA(tl__lua_greenlet),  "greenlet"},
    {"gevent",         NULL,                 TL__LUA(tl__lua_gevent),    "gevent"},
    {"asyncio",        NULL,                 TL__LUA(tl__lua_asyncio),   "asyncio"},
    {NULL,             NULL,                 NULL, NULL,                 NULL}};

static int tl__open(lua_State *L) {
  const struct tl__part *p;
  int parts;
  luaL_openlibs(L);
  luaopen_tl_base(L);
  lua_newtable(L);
  parts = lua_gettop(L);
  for (p = tl__parts; p->name; p++) {
    if (p->c_half) {
      lua_pushcfunction(L, p->c_half);
      lua_call(L, 0, 1);
    } else {
      if (luaL_loadbufferx(L, p->lua, (size_t)(p->lua_end - p->lua), p->name, "b") != LUA_OK)
        lua_error(L);
      lua_pushvalue(L, parts);
      lua_call(L, 1, 1);
    }
    if (p->global) {
      lua_pushvalue(L, -1);
      lua_setglobal(L, p->global);
      /* Also in package.loaded, so that Lua's own argument errors name
       * the function ("time.sleep"), as require would find it. */
      luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
      lua_pushvalue(L, -2);
      lua_setfield(L, -2, p->global);
      lua_pop(L, 1);
    }
    lua_setfield(L, parts, p->name);
  }
  /* errors.c finds the error classes here */
  lua_getfield(L, parts, "errors");
  lua_setfield(L, LUA_REGISTRYINDEX, "threadlab.errors");
  /* proc.c finds multiprocessing's end-of-main-code hook here; mp is its
   * short name, as the notes' `import multiprocessing as mp` */
  lua_getfield(L, parts, "multiprocessing");
  lua_pushvalue(L, -1);
  lua_setglobal(L, "mp");
  lua_setfield(L, LUA_REGISTRYINDEX, "threadlab.mp");
  /* and threading.excepthook here, whatever the globals say */
  lua_getfield(L, parts, "threading");
  lua_setfield(L, LUA_REGISTRYINDEX, "threadlab.threading");
  return 0;
}

const char *tl_module_global(int i) {
  const struct tl__part *p;
  for (p = tl__parts; p->name; p++)
    if (p->global && i-- == 0) return p->global;
  return NULL;
}

void tl_set_ints(lua_State *L, const tl_int_const *c, size_t n) {
  for (size_t i = 0; i < n; i++) {
    lua_pushinteger(L, c[i].value);
    lua_setfield(L, -2, c[i].name);
  }
}

int tl_open_all(lua_State *L) {
  int status;
  /* No accounting hook while the modules run: under the virtual clock their
   * statements would move the clock (two 10 us quanta) before the
   * program's first one. Only MainThread exists yet: nobody to switch to. */
  if (tl__self && atomic_load(&tl__self->holds_gil)) lua_sethook(L, NULL, 0, 0);
  lua_pushcfunction(L, tl__open);
  status = lua_pcall(L, 0, 0, 0);
  if (status != LUA_OK) lua_pop(L, 1);
  /* The modules' own statements are not the program's: the virtual clock's
   * count of instructions (a 10 us quantum a thousand) starts afresh with
   * the hook, so what a program's first statements cost does not hang on
   * how much Lua the modules run at start-up; nor do the builtins they
   * called. */
  if (tl__self && atomic_load(&tl__self->holds_gil)) {
    tl_gil_set_base_hook(tl__self, L);
    tl__self->vdebt = 0;
  }
  return status;
}
