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
  int over = tl__proc_over_prompt();
  tl_mutex_lock(&tl__out_mu);
  if (to_stderr) fflush(stdout);
  if (over) fputs("\r\033[K", f);
  fwrite(s, 1, len, f);
  fflush(f);
  tl_mutex_unlock(&tl__out_mu);
  if (over) tl__proc_redraw_prompt();
}

void tl__out_lock(void) { tl_mutex_lock(&tl__out_mu); }
void tl__out_unlock(void) { tl_mutex_unlock(&tl__out_mu); }
void tl__out_reinit(void) { tl_mutex_init(&tl__out_mu); }

void tl_write_parts(int to_stderr, const char *const *parts, const size_t *lens, int n,
                   int newline) {
  FILE *f = to_stderr ? stderr : stdout;
  int over = tl__proc_over_prompt();
  tl_mutex_lock(&tl__out_mu);
  if (to_stderr) fflush(stdout);
  if (over) fputs("\r\033[K", f);
  for (int i = 0; i < n; i++) fwrite(parts[i], 1, lens[i], f);
  if (newline) fputc('\n', f);
  fflush(f);
  tl_mutex_unlock(&tl__out_mu);
  if (over) tl__proc_redraw_prompt();
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

/* memory_error(): a MemoryError object that names the cap. */
static int f_memory_error(lua_State *L) {
  char msg[160];
  tl_memory_error_text(msg, sizeof msg);
  tl_push_error(L, "MemoryError", msg);
  return 1;
}

static int tl__finish_pcall(lua_State *L, int status, lua_KContext extra) {
  if (status != LUA_OK && status != LUA_YIELD) {
    if (tl__killed()) return lua_error(L);
    if (status == LUA_ERRMEM) {
      /* Lua's bare "not enough memory", as the MemoryError Python gives;
       * the stack is unwound, and a little grace pays for the object. */
      tl__mem_grace++;
      lua_pushcfunction(L, f_memory_error);
      if (lua_pcall(L, 0, 1, 0) == LUA_OK) lua_replace(L, -2);
      else lua_pop(L, 1);
      tl__mem_grace--;
    } else {
      tl_typed_error(L, -1);
    }
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

/* Chunks load as text only: Lua does not check bytecode, and a damaged
 * chunk crashes the interpreter (and every thread in it). load and
 * loadfile take a mode: it is "t" whatever is asked. */
static int f_load(lua_State *L) {
  int n = lua_gettop(L);
  if (n < 3) lua_settop(L, n = 3);
  lua_pushliteral(L, "t");
  lua_replace(L, 3);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, n, LUA_MULTRET);
  return lua_gettop(L);
}

static int f_loadfile(lua_State *L) {
  const char *fname = luaL_optstring(L, 1, NULL);
  int env = !lua_isnone(L, 3) ? 3 : 0;
  if (luaL_loadfilex(L, fname, "t") == LUA_OK) {
    if (env) {
      lua_pushvalue(L, env);
      if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
    }
    return 1;
  }
  luaL_pushfail(L);
  lua_insert(L, -2);
  return 2;
}

static int f_dofile(lua_State *L) {
  const char *fname = luaL_optstring(L, 1, NULL);
  lua_settop(L, 1);
  if (luaL_loadfilex(L, fname, "t") != LUA_OK) return lua_error(L);
  lua_call(L, 0, LUA_MULTRET);
  return lua_gettop(L) - 1;
}

int luaopen_tl_base(lua_State *L) {
  static const luaL_Reg funcs[] = {
    { "print",    f_print    },
    { "pcall",    f_pcall    },
    { "xpcall",   f_xpcall   },
    { "loadfile", f_loadfile },
    { "dofile",   f_dofile   },
    { NULL,       NULL       }
  };
  lua_pushglobaltable(L);
  luaL_setfuncs(L, funcs, 0);
  lua_getfield(L, -1, "load");
  lua_pushcclosure(L, f_load, 1);
  lua_setfield(L, -2, "load");
  lua_pop(L, 1);
  return 0;
}
