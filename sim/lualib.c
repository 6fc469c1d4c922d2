/* Opens threadlab's modules into a fresh state: the C halves, then the Lua
 * halves, which are built into the binary so it runs from anywhere. */
#include "engine.h"

#include <lauxlib.h>
#include <lualib.h>

#define TL__EMBED(sym, file)                                      \
  __asm__(".section .rodata\n.global " #sym "\n" #sym ":\n"        \
          ".incbin \"" file "\"\n.global " #sym "_end\n" #sym "_end:\n" \
          ".previous\n");                                          \
  extern const char sym[], sym##_end[]

TL__EMBED(tl__lua_errors, "sim/lua/errors.lua");
TL__EMBED(tl__lua_threading, "sim/lua/threading.lua");
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
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, "threadlab.errors");
  lua_pop(L, 1);

  luaopen_tl_time(L);
  lua_setglobal(L, "time");
  luaopen_tl_lab(L);
  tl__run_embedded(L, tl__lua_lab, tl__lua_lab_end, "=lab.lua", 1);
  lua_setglobal(L, "lab");

  luaopen_tl_threading(L);
  luaopen_tl_lock(L);
  luaL_getmetatable(L, "threadlab.Lock");
  lua_getfield(L, -1, "methods");
  lua_remove(L, -2);
  tl__run_embedded(L, tl__lua_threading, tl__lua_threading_end, "=threading.lua", 3);
  lua_setglobal(L, "threading");

  /* lesson{}, say{}, step, show, expect{}: the lesson format (lesson.lua). */
  luaopen_tl_lesson(L);
  tl__run_embedded(L, tl__lua_lesson, tl__lua_lesson_end, "=lesson.lua", 1);
  lua_setglobal(L, "lesson");
  return 0;
}

int tl_open_all(lua_State *L) {
  int status;
  lua_pushcfunction(L, tl__open);
  status = lua_pcall(L, 0, 0, 0);
  if (status != LUA_OK) lua_pop(L, 1);
  return status;
}
