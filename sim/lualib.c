/* Opens threadlab's modules into a fresh state: the C halves, then the Lua
 * halves, which are built into the binary so it runs from anywhere. */
#include "locks.h"

#include <lauxlib.h>
#include <lualib.h>

#define TL__EMBED(sym, file)                                      \
  __asm__(".section .rodata\n.global " #sym "\n" #sym ":\n"        \
          ".incbin \"" file "\"\n.global " #sym "_end\n" #sym "_end:\n" \
          ".previous\n");                                          \
  extern const char sym[], sym##_end[]

TL__EMBED(tl__lua_errors, "sim/lua/errors.lua");
TL__EMBED(tl__lua_threading, "sim/lua/threading.lua");
TL__EMBED(tl__lua_sync, "sim/lua/sync.lua");
TL__EMBED(tl__lua_queue, "sim/lua/queue.lua");
TL__EMBED(tl__lua_lab, "sim/lua/lab.lua");
TL__EMBED(tl__lua_lesson, "sim/lua/lesson.lua");

int luaopen_tl_lesson(lua_State *L); /* lesson.c */

/* Runs an embedded chunk with nargs arguments from the stack; leaves one
 * result. */
static void tl__run_embedded(lua_State *L, const char *code, const char *end,
                             const char *name, int nargs) {
  if (luaL_loadbuffer(L, code, (size_t)(end - code), name) != LUA_OK)
    lua_error(L);
  lua_insert(L, -(nargs + 1));
  lua_call(L, nargs, 1);
}

static int tl__open(lua_State *L) {
  luaL_openlibs(L);
  luaopen_tl_base(L);

  tl__run_embedded(L, tl__lua_errors, tl__lua_errors_end, "=errors.lua", 0);
  tl_errors_add_checks(L, -1);
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, "threadlab.errors");
  lua_pop(L, 1);

  luaopen_tl_time(L);
  lua_setglobal(L, "time");
  luaopen_tl_lab(L);
  lua_getfield(L, LUA_REGISTRYINDEX, "threadlab.errors");
  tl__run_embedded(L, tl__lua_lab, tl__lua_lab_end, "=lab.lua", 2);
  lua_setglobal(L, "lab");

  luaopen_tl_threading(L);
  luaopen_tl_lock(L);
  luaL_getmetatable(L, TL_LOCK_MT);
  lua_getfield(L, -1, "methods");
  lua_remove(L, -2);
  lua_getfield(L, LUA_REGISTRYINDEX, "threadlab.errors");
  tl__run_embedded(L, tl__lua_threading, tl__lua_threading_end, "=threading.lua", 4);
  luaopen_tl_deadlock(L);
  lua_setfield(L, -2, "_deadlock");

  /* The primitives built on Lock and RLock: (threading, RLock, its
   * methods, threading._prim, errors) -> what queue.lua needs. */
  lua_pushvalue(L, -1);
  luaopen_tl_rlock(L);
  luaL_getmetatable(L, TL_RLOCK_MT);
  lua_getfield(L, -1, "methods");
  lua_remove(L, -2);
  luaopen_tl_prim(L);
  lua_pushvalue(L, -1);
  lua_setfield(L, -6, "_prim");
  lua_getfield(L, LUA_REGISTRYINDEX, "threadlab.errors");
  tl__run_embedded(L, tl__lua_sync, tl__lua_sync_end, "=sync.lua", 5);

  /* queue: (threading, the above, errors) */
  lua_pushvalue(L, -2);
  lua_pushvalue(L, -2);
  lua_getfield(L, LUA_REGISTRYINDEX, "threadlab.errors");
  tl__run_embedded(L, tl__lua_queue, tl__lua_queue_end, "=queue.lua", 3);
  lua_setglobal(L, "queue");
  lua_pop(L, 1);
  lua_setglobal(L, "threading");

  /* lab.watch, lab.unwatch */
  lua_getglobal(L, "lab");
  luaopen_tl_watch(L);
  lua_getfield(L, -1, "watch");
  lua_setfield(L, -3, "watch");
  lua_getfield(L, -1, "unwatch");
  lua_setfield(L, -3, "unwatch");
  lua_pop(L, 2);
  /* lesson{}, say{}, step, show, expect{}: the lesson format (lesson.lua). */
  luaopen_tl_lesson(L);
  tl__run_embedded(L, tl__lua_lesson, tl__lua_lesson_end, "=lesson.lua", 1);
  lua_setglobal(L, "lesson");
  /* In package.loaded, so that Lua's own argument errors name the
   * function ("time.sleep"), as require would find it. */
  {
    static const char *const mods[] = { "threading", "queue", "time", "lab", "lesson", NULL };
    int i;
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    for (i = 0; mods[i]; i++) {
      lua_getglobal(L, mods[i]);
      lua_setfield(L, -2, mods[i]);
    }
    lua_pop(L, 1);
  }
  return 0;
}

int tl_open_all(lua_State *L) {
  int status;
  lua_pushcfunction(L, tl__open);
  status = lua_pcall(L, 0, 0, 0);
  if (status != LUA_OK) lua_pop(L, 1);
  return status;
}
