/* The sandbox, for lessons from others (--sandbox, or a lesson header with
 * sandbox=true): what could harm the machine is taken away and raises
 * PermissionError naming itself. Gone: os.execute, io.popen,
 * package.loadlib and C modules, the debug library, string.dump (binary
 * chunks are refused everywhere already), io.tmpfile and os.tmpname. File
 * writes (io.open for writing, io.output, os.remove, os.rename,
 * lab.screenshot) go only inside the folder
 * --record-dir names, and nowhere without it. Reading stays, and so do
 * threads and the rest of threadlab's API. threadlab's own Lua halves took
 * what they use when they opened, before this runs. */
#include "engine.h"

#include <errno.h>
#include <lauxlib.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static int tl__deny(lua_State *L, const char *what) {
  return tl_raise(L, "PermissionError", "%s is not allowed in the sandbox (--sandbox)", what);
}

/* A blocked function: raises PermissionError with its name (upvalue 1). */
static int f_blocked(lua_State *L) { return tl__deny(L, lua_tostring(L, lua_upvalueindex(1))); }

/* Whether path lies inside --record-dir (resolving links and "..": the
 * folder that would hold it must exist). */
static int tl__inside_record_dir(const char *path) {
  char dir[PATH_MAX], real[PATH_MAX], parent[PATH_MAX];
  const char *rd = tl_W->cfg.record_dir, *slash;
  size_t n;
  if (!rd || !realpath(rd, dir)) return 0;
  if (realpath(path, real)) { /* it exists (maybe a link): where it really is */
  } else {
    slash = strrchr(path, '/');
    if (!slash) snprintf(parent, sizeof parent, ".");
    else snprintf(parent, sizeof parent, "%.*s", (int)(slash - path ? slash - path : 1), path);
    if (!realpath(parent, real)) return 0;
    n = strlen(real);
    snprintf(real + n, sizeof real - n, "/%s", slash ? slash + 1 : path);
    if (strcmp(slash ? slash + 1 : path, "..") == 0 || strcmp(slash ? slash + 1 : path, ".") == 0)
      return 0;
  }
  n = strlen(dir);
  return strncmp(real, dir, n) == 0 && real[n] == '/'; /* below it, not it */
}

static int tl__check_write(lua_State *L, const char *fn, const char *path) {
  if (tl__inside_record_dir(path)) return 0;
  if (!tl_W->cfg.record_dir)
    return tl_raise(L, "PermissionError",
                    "%s('%s'): writing files is not allowed in the sandbox"
                    " (--record-dir DIR allows writes inside DIR)", fn, path);
  return tl_raise(L, "PermissionError",
                  "%s('%s'): the sandbox writes only inside --record-dir %s", fn, path,
                  tl_W->cfg.record_dir);
}

/* io.open(path, mode): reading as before; writing only inside the folder.
 * Upvalue 1: the real io.open. */
static int f_open(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  const char *mode = luaL_optstring(L, 2, "r");
  if (strpbrk(mode, "wa+")) tl__check_write(L, "io.open", path);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

/* io.output(path), os.remove(path), os.rename(a, b), lab.screenshot(path):
 * every string argument is a file written. Upvalues: the real function,
 * its name. */
static int f_writes(lua_State *L) {
  int n = lua_gettop(L);
  for (int i = 1; i <= n; i++)
    if (lua_type(L, i) == LUA_TSTRING)
      tl__check_write(L, lua_tostring(L, lua_upvalueindex(2)), lua_tostring(L, i));
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, n, LUA_MULTRET);
  return lua_gettop(L);
}

/* t[key] = a function that raises, named "prefix.key". */
static void tl__block(lua_State *L, int t, const char *prefix, const char *key) {
  t = lua_absindex(L, t);
  lua_pushfstring(L, "%s.%s", prefix, key);
  lua_pushcclosure(L, f_blocked, 1);
  lua_setfield(L, t, key);
}

static void tl__guard(lua_State *L, int t, const char *prefix, const char *key) {
  t = lua_absindex(L, t);
  if (lua_getfield(L, t, key) != LUA_TFUNCTION) {
    lua_pop(L, 1);
    return;
  }
  lua_pushfstring(L, "%s.%s", prefix, key);
  lua_pushcclosure(L, f_writes, 2);
  lua_setfield(L, t, key);
}

/* package.searchers[3] and [4]: a module that exists only as C code is
 * refused by name; one that does not exist reads as before. Upvalue 1: the
 * cpath there was. */
static int f_c_searcher(lua_State *L) {
  const char *name = luaL_checkstring(L, 1);
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "searchpath");
  lua_pushstring(L, name);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_call(L, 2, 1);
  if (lua_isstring(L, -1))
    return tl_raise(L, "PermissionError",
                    "require('%s'): C modules are not allowed in the sandbox (--sandbox)", name);
  lua_pushliteral(L, "\n\tno C modules in the sandbox");
  return 1;
}

/* debug.anything: PermissionError naming it. */
static int f_debug_index(lua_State *L) {
  lua_pushfstring(L, "debug.%s", luaL_optstring(L, 2, "?"));
  return tl__deny(L, lua_tostring(L, -1));
}

static int tl__apply(lua_State *L) {
  int g;
  if (tl_W->cfg.sandbox == 2) return 0; /* already */
  tl_W->cfg.sandbox = 2;
  lua_pushglobaltable(L);
  g = lua_gettop(L);
  lua_getfield(L, g, "os");
  tl__block(L, -1, "os", "execute");
  tl__guard(L, -1, "os", "remove");
  tl__guard(L, -1, "os", "rename");
  tl__block(L, -1, "os", "tmpname");
  lua_pop(L, 1);
  lua_getfield(L, g, "io");
  tl__block(L, -1, "io", "popen");
  tl__block(L, -1, "io", "tmpfile");
  lua_getfield(L, -1, "open");
  lua_pushcclosure(L, f_open, 1);
  lua_setfield(L, -2, "open");
  tl__guard(L, -1, "io", "output");
  lua_pop(L, 1);
  lua_getfield(L, g, "string");
  tl__block(L, -1, "string", "dump");
  lua_pop(L, 1);
  lua_getfield(L, g, "lab");
  if (lua_istable(L, -1)) tl__guard(L, -1, "lab", "screenshot");
  lua_pop(L, 1);
  /* package: no C modules, no loadlib; Lua modules still load (as text). */
  lua_getfield(L, g, "package");
  tl__block(L, -1, "package", "loadlib");
  lua_getfield(L, -1, "searchers");
  for (int i = 3; i <= 4; i++) {
    lua_getfield(L, -2, "cpath");
    lua_pushcclosure(L, f_c_searcher, 1);
    lua_rawseti(L, -2, i);
  }
  lua_pop(L, 1);
  lua_pushliteral(L, "");
  lua_setfield(L, -2, "cpath");
  lua_getfield(L, -1, "loaded");
  lua_newtable(L); /* debug: every field raises */
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, f_debug_index);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);
  lua_pushvalue(L, -1);
  lua_setfield(L, -3, "debug");
  lua_setfield(L, g, "debug");
  lua_pop(L, 2);
  lua_settop(L, g - 1);
  return 0;
}

int tl_sandbox_apply(lua_State *L) {
  int status;
  lua_pushcfunction(L, tl__apply);
  status = lua_pcall(L, 0, 0, 0);
  if (status != LUA_OK) lua_pop(L, 1);
  return status;
}

/* sandbox(): a lesson's header asks for the sandbox. */
static int f_enable(lua_State *L) {
  if (!tl_W->cfg.sandbox) tl_W->cfg.sandbox = 1;
  return tl__apply(L);
}

int luaopen_tl_sandbox(lua_State *L) {
  lua_pushcfunction(L, f_enable);
  return 1;
}
