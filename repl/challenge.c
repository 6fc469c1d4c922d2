/* The challenge front: the learner is the scheduler. What a challenge says
 * and checks is policy, in sim/lua/challenge.lua; here are the parts that
 * need the front: the command line (--moves, --solve), a fresh world for
 * :undo and :solve (a deterministic replay of the moves kept), and the
 * REPL's :run, :undo, :hint, :solve while a challenge plays. */
#include <fcntl.h>
#include <lauxlib.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"

static struct {
  char path[PATH_MAX];
  char *src; /* the file's text, kept: a fresh world loads it again */
  size_t len;
  int playing;
} tl__CH;

/* Pushes challenge[name], then the chunk of the file and its path; the
 * caller pushes more arguments and calls. 0 when the file does not load. */
static int tl__prepare(lua_State *L, const char *name) {
  lua_getglobal(L, "challenge");
  lua_getfield(L, -1, name);
  lua_remove(L, -2);
  if (tl_source_load(L, tl__CH.src, tl__CH.len, tl__CH.path) != LUA_OK) {
    fprintf(stderr, "threadlab: %s\n", lua_tostring(L, -1));
    lua_pop(L, 2);
    return 0;
  }
  lua_pushstring(L, tl__CH.path + 1);
  return 1;
}

/* The search runs the file hundreds of times: what the engine warns of on
 * stderr (a lock order seen the other way round: new locks each run) would
 * be said hundreds of times. Muted while it searches; its errors are
 * reported after. Returns the saved fd (or -1) for tl__unmute_stderr. */
static int tl__mute_stderr(void) {
  int saved, nul = open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (nul < 0) return -1;
  fflush(stderr);
  saved = fcntl(2, F_DUPFD_CLOEXEC, 3);
  if (saved >= 0) dup2(nul, 2);
  close(nul);
  return saved;
}

static void tl__unmute_stderr(int saved) {
  if (saved < 0) return;
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
}

/* Calls challenge[name](chunk, path, arg); its integer result, or 1 (said)
 * when it raised. */
static int tl__call(const char *name, const char *arg) {
  lua_State *L = tl_W->L;
  int rc = 1, status, muted;
  if (!tl__prepare(L, name)) return 1;
  lua_pushstring(L, arg ? arg : "");
  muted = strcmp(name, "_solve") == 0 ? tl__mute_stderr() : -1;
  status = tl_app_docall(L, 3, 1);
  tl__unmute_stderr(muted);
  if (status != LUA_OK) {
    tl_app_report(L);
  } else {
    rc = lua_isinteger(L, -1) ? (int)lua_tointeger(L, -1) : 0;
    lua_pop(L, 1);
  }
  fflush(stdout);
  return rc;
}

int tl_challenge_run(tl_options *o, const char *path, const char *src, size_t len) {
  snprintf(tl__CH.path, sizeof tl__CH.path, "@%s", path);
  free(tl__CH.src);
  if (!(tl__CH.src = malloc(len ? len : 1))) return 1;
  memcpy(tl__CH.src, src, len);
  tl__CH.len = len;
  if (o->solve) return tl__call("_solve", NULL);
  if (o->moves) return tl__call("_replay", o->moves);
  tl__CH.playing = 1;
  o->interactive = 1; /* the moves are made at the REPL's prompt */
  return tl__call("_play", "") == 0 ? 0 : 1;
}

/* The schedule so far, as the Lua half keeps it ("T2 T3"), into buf. */
static void tl__moves(char *buf, size_t size, int drop_last) {
  lua_State *L = tl_W->L;
  const char *s;
  buf[0] = '\0';
  lua_getglobal(L, "challenge");
  lua_getfield(L, -1, "_schedule");
  lua_pushboolean(L, drop_last);
  if (lua_pcall(L, 1, 1, 0) == LUA_OK && (s = lua_tostring(L, -1)))
    snprintf(buf, size, "%s", s);
  lua_pop(L, 2);
}

/* A fresh world replays `moves` silently (the same seed makes the same
 * run), then says where things stand. */
static int tl__replay(tl_options *o, const char *moves, const char *how) {
  if (tl_app_reset(o) != 0) return 1;
  return tl__call(how, moves);
}

static int tl__undo(tl_options *o) {
  char moves[4096];
  tl__moves(moves, sizeof moves, 1);
  tl__replay(o, moves, "_undo");
  return 0;
}

static int tl__solve(tl_options *o) {
  lua_State *L = tl_W->L;
  char found[4096] = "";
  int status, muted;
  if (!tl__prepare(L, "_search")) return 0;
  puts("searching...");
  fflush(stdout);
  muted = tl__mute_stderr();
  status = tl_app_docall(L, 2, 2);
  tl__unmute_stderr(muted);
  if (status != LUA_OK) {
    tl_app_report(L);
    return 0;
  }
  if (lua_isstring(L, -2)) {
    snprintf(found, sizeof found, "%s", lua_tostring(L, -2));
    lua_pop(L, 2);
    printf("solution: %s\n", found);
    tl__replay(o, found, "_show");
  } else {
    printf("no solution within %d moves\n", (int)lua_tointeger(L, -1));
    lua_pop(L, 2);
    /* the search ran in this world: back to where the learner was */
    tl__moves(found, sizeof found, 0);
    tl__replay(o, found, "_undo_quiet");
  }
  fflush(stdout);
  return 0;
}

int tl_challenge_command(tl_options *o, const char *cmd, const char *arg) {
  lua_State *L = tl_W->L;
  if (strcmp(cmd, "step") == 0) return 0; /* the scheduler's own pick, not a move */
  if (!tl__CH.playing) {
    if (strcmp(cmd, "run") == 0) return 0; /* plain manual scheduling */
    printf(":%s: no challenge is playing (threadlab lessons/challenges/01-lost-update.lua)\n",
           cmd);
    return 1;
  }
  if (strcmp(cmd, "run") == 0) {
    char name[32] = "";
    int n = 1;
    if (sscanf(arg, "%31s %d", name, &n) < 1 || n < 1 || n > 1000) {
      puts("usage: :run T2 [n]  (n moves of T2, 1..1000)");
      return 1;
    }
    lua_getglobal(L, "challenge");
    lua_getfield(L, -1, "_moves");
    lua_remove(L, -2);
    lua_pushstring(L, name);
    lua_pushinteger(L, n);
    if (lua_pcall(L, 2, 0, 0) != LUA_OK) {
      printf("%s\n", luaL_tolstring(L, -1, NULL)); /* no traceback: the mistake */
      lua_pop(L, 2);
    }
  } else if (strcmp(cmd, "undo") == 0) {
    tl__undo(o);
  } else if (strcmp(cmd, "solve") == 0) {
    tl__solve(o);
  } else if (strcmp(cmd, "hint") == 0) {
    lua_getglobal(L, "challenge");
    lua_getfield(L, -1, "_hint");
    lua_remove(L, -2);
    if (tl_app_docall(L, 0, 0) != LUA_OK) tl_app_report(L);
  }
  fflush(stdout);
  return 1;
}

/* At exit: the challenge's threads, stopped or stuck, end with it. */
void tl_challenge_end(void) {
  if (!tl__CH.playing) return;
  tl__CH.playing = 0;
  lua_getglobal(tl_W->L, "lab");
  lua_getfield(tl_W->L, -1, "_cancel_others");
  lua_remove(tl_W->L, -2);
  if (lua_pcall(tl_W->L, 0, 0, 0) != LUA_OK) lua_pop(tl_W->L, 1);
}
