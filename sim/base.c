/* Base functions threadlab changes: print writes whole lines (two threads
 * never tear one), and pcall/xpcall cannot swallow the cancellation that
 * :reset and exit send (a thread must not survive by catching it). */
#include "engine.h"

#include <lauxlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static tl_mutex tl__out_mu = PTHREAD_MUTEX_INITIALIZER;

void tl_write_out(int to_stderr, const char *s, size_t len) {
  FILE *f = to_stderr ? stderr : stdout;
  tl_mutex_lock(&tl__out_mu);
  if (to_stderr) fflush(stdout);
  fwrite(s, 1, len, f);
  fflush(f);
  tl_mutex_unlock(&tl__out_mu);
}

void tl_write_parts(int to_stderr, const char *const *parts, const size_t *lens, int n,
                   int newline) {
  FILE *f = to_stderr ? stderr : stdout;
  tl_mutex_lock(&tl__out_mu);
  if (to_stderr) fflush(stdout);
  for (int i = 0; i < n; i++) fwrite(parts[i], 1, lens[i], f);
  if (newline) fputc('\n', f);
  fflush(f);
  tl_mutex_unlock(&tl__out_mu);
}

/* print(...): arguments separated by a space, as Python prints them, so the
 * output reads like the notes' output. */
static int f_print(lua_State *L) {
  int n = lua_gettop(L), i;
  luaL_Buffer b;
  size_t len;
  const char *s;
  luaL_buffinit(L, &b);
  for (i = 1; i <= n; i++) {
    if (i > 1) luaL_addchar(&b, ' ');
    luaL_tolstring(L, i, NULL);
    luaL_addvalue(&b);
  }
  luaL_pushresult(&b);
  s = lua_tolstring(L, -1, &len);
  tl_emit_text(TL_EV_PRINT, 0, s, len);
  lua_pushliteral(L, "\n");
  lua_concat(L, 2);
  s = lua_tolstring(L, -1, &len);
  tl_write_out(0, s, len);
  return 0;
}

static int tl__killed(void) {
  int k;
  if (!tl__self) return 0;
  tl_mutex_lock(&tl_W->mu);
  k = tl__self->cancel == TL_CANCEL_KILL;
  tl_mutex_unlock(&tl_W->mu);
  return k;
}

static int tl__finish_pcall(lua_State *L, int status, lua_KContext extra) {
  if (status != LUA_OK && status != LUA_YIELD) {
    if (tl__killed()) return lua_error(L);
    tl_typed_error(L, -1);
    lua_pushboolean(L, 0);
    lua_pushvalue(L, -2);
    return 2;
  }
  return lua_gettop(L) - (int)extra;
}

static int f_pcall(lua_State *L) {
  int status;
  luaL_checkany(L, 1);
  lua_pushboolean(L, 1);
  lua_insert(L, 1);
  status = lua_pcallk(L, lua_gettop(L) - 2, LUA_MULTRET, 0, 0, tl__finish_pcall);
  return tl__finish_pcall(L, status, 0);
}

static int f_xpcall(lua_State *L) {
  int status;
  int n = lua_gettop(L);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_pushboolean(L, 1);
  lua_pushvalue(L, 1);
  lua_rotate(L, 3, 2);
  status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, tl__finish_pcall);
  return tl__finish_pcall(L, status, 2);
}

int luaopen_tl_base(lua_State *L) {
  static const luaL_Reg funcs[] = {
    { "print",  f_print  },
    { "pcall",  f_pcall  },
    { "xpcall", f_xpcall },
    { NULL,     NULL     }
  };
  lua_pushglobaltable(L);
  luaL_setfuncs(L, funcs, 0);
  lua_pop(L, 1);
  return 0;
}
