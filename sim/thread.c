/* threading's C half: real pthreads, each running its own Lua thread. The
 * Thread class itself (names, target/args, repr) is Lua, in threading.lua. */
#include "engine.h"
#include "mpgraph.h"

#include <errno.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define TL__HANDLE "threadlab.thread"

/* The kernel's id for the thread: the same number /proc/PID/task lists. */
long tl_gettid(void) { return (long)syscall(SYS_gettid); }

tl_thread *tl__thread_new(const char *name, int daemon) {
  tl_thread *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  t->name = strdup(name ? name : "?");
  t->daemon = daemon;
  t->state_ref = t->object_ref = LUA_NOREF;
  tl_cond_init(&t->cv);
  atomic_store(&t->refs, 1);
  tl_mutex_lock(&tl_W->mu);
  t->id = tl_W->next_tid++;
  t->rng = 0x9e3779b97f4a7c15u * t->id;
  tl_mutex_unlock(&tl_W->mu);
  return t;
}

void tl__thread_unref(tl_thread *t) {
  if (atomic_fetch_sub(&t->refs, 1) != 1) return;
  tl_cond_destroy(&t->cv);
  free(t->name);
  free(t);
}



const char *tl_thread_state_name(const tl_thread *t) {
  if (t->ended) return "done";
  if (!t->started) return "starting";
  if (tl_W->gil.holder == t) return "running";
  if (TL_VIRTUAL() && t->vs == TL_VS_READY) return "ready";
  switch (t->wait_kind) {
    case TL_WAIT_GIL: return "ready (waiting for the GIL)";
    case TL_WAIT_LOCK: return "blocked on a lock";
    case TL_WAIT_JOIN: return "joining";
    case TL_WAIT_SLEEP: return "sleeping";
    case TL_WAIT_START: return "starting a thread";
    case TL_WAIT_INPUT: return "waiting for input";
    case TL_WAIT_IO: return "waiting for I/O";
    default: return "in I/O";
  }
}

void tl__thread_run(tl_thread *t) {
  tl_thread *z;
  lua_State *L = t->L;
  int status = LUA_OK, killed;
  tl__self = t;
  t->os_tid = tl_gettid();
  atomic_store(&t->cur_L, L);
  tl_mutex_lock(&tl_W->mu);
  tl__gil_take_locked(t);
  t->started = 1;
  if (t->starter) tl__wake(t->starter);
  killed = t->cancel == TL_CANCEL_KILL;
  tl_mutex_unlock(&tl_W->mu);
  tl_emit(TL_EV_THREAD_START, 0, t->id, 0);
  tl_gil_set_base_hook(t, L);
  t->primed = 1; /* set before any Lua ran: its first line event is real */
  if (!killed) status = lua_pcall(L, 1, 0, 1);
  if (status != LUA_OK) {
    tl_mutex_lock(&tl_W->mu);
    killed = t->cancel == TL_CANCEL_KILL;
    tl_mutex_unlock(&tl_W->mu);
    if (!killed) tl_thread_excepthook(L, -1, t->object_ref, t->name);
  }
  /* This thread forked: in the child it is the only one, and when its
   * function returns the child ends (with 0, as a last thread's exit). */
  if (tl_proc_is_child() && tl_W->main == t) tl_proc_child_end(L, LUA_OK);
  lua_settop(L, 0);
  lua_sethook(L, NULL, 0, 0);
  luaL_unref(L, LUA_REGISTRYINDEX, t->object_ref);
  luaL_unref(L, LUA_REGISTRYINDEX, t->state_ref);
  t->object_ref = t->state_ref = LUA_NOREF;

  tl_mutex_lock(&tl_W->mu);
  t->ended = 1;
  if (t->prev) t->prev->next = t->next; else tl_W->live = t->next;
  if (t->next) t->next->prev = t->prev;
  tl_W->nlive--;
  /* Only a thread someone joins looks for its joiners: with thousands of
   * threads ending, a look through every live thread at each end made
   * their ends cost N^2. */
  if (t->joiners || tl_W->njoin_any)
    for (z = tl_W->live; z; z = z->next)
      if (z->wait_kind == TL_WAIT_JOIN && (z->wait_obj == t || z->wait_obj == NULL))
        tl__wake(z);
  tl_emit(TL_EV_THREAD_END, status != LUA_OK, t->id, 0);
  tl__gil_release_locked(t, TL_GIL_EXIT);
  atomic_store(&t->cur_L, NULL);
  tl_mutex_unlock(&tl_W->mu);
}

static tl_thread *tl__check_handle(lua_State *L, int idx, int must_exist) {
  tl_thread **h;
  luaL_checktype(L, idx, LUA_TTABLE);
  lua_getfield(L, idx, "__handle");
  h = luaL_testudata(L, -1, TL__HANDLE);
  lua_pop(L, 1);
  if (!h && must_exist)
    tl_raise(L, "RuntimeError", "cannot join thread before it is started");
  return h ? *h : NULL;
}

static int f_handle_gc(lua_State *L) {
  tl_thread **h = luaL_checkudata(L, 1, TL__HANDLE);
  if (*h) tl__thread_unref(*h);
  *h = NULL;
  return 0;
}

/* start(obj): runs obj:run() on a new pthread; returns once it runs. */
static int f_start(lua_State *L) {
  tl_thread *self = tl__self, *t;
  tl_thread **h;
  const char *name;
  int err, running;
  if (tl__check_handle(L, 1, 0))
    return tl_raise(L, "RuntimeError", "threads can only be started once");
  tl__hosts_reap(0);
  tl_mutex_lock(&tl_W->mu);
  running = tl_W->nlive - 1;
  tl_mutex_unlock(&tl_W->mu);
  if (tl_W->cfg.max_threads > 0 && running >= tl_W->cfg.max_threads)
    return tl_raise(L, "RuntimeError",
                    "can't start new thread: %d threads are running, threadlab's limit"
                    " (--max-threads N raises it)", running);
  lua_getfield(L, 1, "name");
  name = lua_tostring(L, -1);
  lua_getfield(L, 1, "daemon");
  t = tl__thread_new(name ? name : "Thread", lua_toboolean(L, -1));
  lua_pop(L, 2);
  if (!t) return tl_raise(L, "MemoryError", "no memory for a new thread");

  h = lua_newuserdatauv(L, sizeof *h, 0);
  *h = t;
  atomic_fetch_add(&t->refs, 1);
  luaL_setmetatable(L, TL__HANDLE);
  lua_setfield(L, 1, "__handle");

  t->L = lua_newthread(L);
  t->state_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, 1);
  t->object_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pushcfunction(t->L, tl_msghandler);
  lua_getfield(L, 1, "run");
  lua_pushvalue(L, 1);
  lua_xmove(L, t->L, 2);
  tl_emit_text(TL_EV_THREAD_NEW, t->id, t->name, strlen(t->name));

  tl_mutex_lock(&tl_W->mu);
  t->starter = self;
  if (TL_VIRTUAL()) {
    /* Known to the scheduler before its pthread exists: when it gets to
     * run must not depend on how fast the OS starts it. */
    t->vs = TL_VS_READY;
    t->vready_since = tl_clock_now();
  }
  t->prev = NULL;
  t->next = tl_W->live;
  if (tl_W->live) tl_W->live->prev = t;
  tl_W->live = t;
  tl_W->nlive++;
  err = tl__host_start(t);
  if (err) {
    tl_W->live = t->next;
    if (t->next) t->next->prev = NULL;
    tl_W->nlive--;
    tl_mutex_unlock(&tl_W->mu);
    atomic_fetch_sub(&t->refs, 1); /* the pthread that never ran */
    luaL_unref(L, LUA_REGISTRYINDEX, t->object_ref);
    luaL_unref(L, LUA_REGISTRYINDEX, t->state_ref);
    return tl_raise(L, "RuntimeError",
                    "can't start new thread: the system refused one more (%s) with %d running;"
                    " its limit is ulimit -u", strerror(err), tl_W->nlive - 1);
  }
  /* Like CPython's start(): wait until the thread runs. It takes the GIL
   * before it says so, so it runs first. */
  TL_ALLOW_THREADS_BEGIN(self);
  while (!t->started && tl__wait(self, TL_WAIT_START, t, 0) != ECANCELED) {}
  TL_ALLOW_THREADS_END(self);
  tl_mutex_unlock(&tl_W->mu);
  tl_check_cancel(L);
  lua_pushinteger(L, t->os_tid);
  lua_pushinteger(L, t->id); /* its name in the trace and :threads (T2) */
  return 2;
}

/* join(obj, timeout): waits for the thread's end; interruptible. */
static int f_join(lua_State *L) {
  tl_thread *self = tl__self;
  tl_thread *t = tl__check_handle(L, 1, 1);
  uint64_t deadline = 0;
  int r = 0;
  if (t == self) return tl_raise(L, "RuntimeError", "cannot join current thread");
  if (!lua_isnoneornil(L, 2)) {
    double s = tl_check_timeout(L, 2, "join", "timeout");
    deadline = tl_deadline_in(s < 0 ? 0 : s);
  }
  tl_emit(TL_EV_JOIN, 0, t->id, 0);
  tl_mutex_lock(&tl_W->mu);
  if (!t->ended) {
    r = tl__deadlock_before_wait(self, TL_WAIT_JOIN, t, deadline);
    TL_ALLOW_THREADS_BEGIN(self);
    t->joiners++;
    while (!t->ended && r == 0) r = tl__wait(self, TL_WAIT_JOIN, t, deadline);
    t->joiners--;
    TL_ALLOW_THREADS_END(self);
  }
  tl_mutex_unlock(&tl_W->mu);
  tl_emit(TL_EV_JOIN_END, r == ETIMEDOUT, t->id, 0);
  tl_deadlock_after_wait(L);
  return 0;
}

static int f_is_alive(lua_State *L) {
  tl_thread *t = tl__check_handle(L, 1, 0);
  int alive;
  tl_mutex_lock(&tl_W->mu);
  alive = t && t->started && !t->ended;
  tl_mutex_unlock(&tl_W->mu);
  lua_pushboolean(L, alive);
  return 1;
}

static int f_set_main(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_pushvalue(L, 1);
  luaL_unref(L, LUA_REGISTRYINDEX, tl_W->main->object_ref);
  tl_W->main->object_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  return 0;
}

static int f_current(lua_State *L) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, tl__self->object_ref);
  return 1;
}

static int f_get_ident(lua_State *L) {
  lua_pushinteger(L, tl_gettid());
  return 1;
}

static int f_enumerate(lua_State *L) {
  tl_thread *t;
  int i = 0;
  lua_newtable(L);
  tl_mutex_lock(&tl_W->mu);
  for (t = tl_W->live; t; t = t->next) {
    if (t->object_ref == LUA_NOREF) continue;
    lua_rawgeti(L, LUA_REGISTRYINDEX, t->object_ref);
    lua_rawseti(L, -2, ++i);
  }
  tl_mutex_unlock(&tl_W->mu);
  /* Oldest first, as threading.enumerate() lists them. */
  for (int a = 1, b = i; a < b; a++, b--) {
    lua_rawgeti(L, -1, a);
    lua_rawgeti(L, -2, b);
    lua_rawseti(L, -3, a);
    lua_rawseti(L, -2, b);
  }
  return 1;
}

/* states(): {{name=, id=, ident=, daemon=, state=}, ...} for :threads. */
static int f_states(lua_State *L) {
  tl_thread *t;
  char mpw[200];
  int i = 0;
  lua_newtable(L);
  tl_mutex_lock(&tl_W->mu);
  for (t = tl_W->live; t; t = t->next) {
    lua_createtable(L, 0, 4);
    lua_pushstring(L, t->name);
    lua_setfield(L, -2, "name");
    lua_pushinteger(L, t->id);
    lua_setfield(L, -2, "id");
    /* A deadlocked thread counts as a daemon so exit does not wait for it
     * (deadlock.c); show what it really is. */
    lua_pushboolean(L, t->frozen ? t->frozen - 1 : t->daemon);
    lua_setfield(L, -2, "daemon");
    if (t != tl__self && tl__mpg_waits(tl_proc_self_pid(), t->id, mpw, sizeof mpw))
      lua_pushfstring(L, "waiting for %s", mpw); /* an mp lock (mpgraph.c) */
    else if (t != tl__self && !t->frozen && t->waits_for[0] && t->wait_kind != TL_WAIT_GIL &&
        tl_W->gil.holder != t)
      lua_pushfstring(L, "waiting on %s", t->waits_for);
    else
      lua_pushstring(L, t == tl__self ? "running (this REPL)"
                        : t->frozen ? "deadlocked" : tl_thread_state_name(t));
    lua_setfield(L, -2, "state");
    if (t != tl__self && t->started && !t->ended) {
      /* Where it stands: its innermost Lua line. Safe to read, since the
       * caller holds the GIL and so that thread runs no Lua now. */
      lua_State *S = atomic_load(&t->cur_L);
      lua_Debug ar;
      for (int level = 0; S && lua_getstack(S, level, &ar); level++) {
        /* The user's line, not one inside threadlab's own Lua halves
         * (embedded as "=sync.lua" and the like). */
        if (lua_getinfo(S, "Sl", &ar) && ar.currentline > 0 &&
            !(ar.source[0] == '=' && strstr(ar.source, ".lua") &&
              strcmp(ar.source + strlen(ar.source) - 4, ".lua") == 0)) {
          lua_pushfstring(L, "%s:%d", ar.short_src, ar.currentline);
          lua_setfield(L, -2, "where");
          break;
        }
      }
    }
    lua_rawseti(L, -2, ++i);
  }
  tl_mutex_unlock(&tl_W->mu);
  return 1;
}

int luaopen_tl_threading(lua_State *L) {
  static const luaL_Reg handle_meta[] = {
    { "__gc", f_handle_gc },
    { NULL,   NULL        }
  };
  static const luaL_Reg lib[] = {
    { "start",          f_start              },
    { "join",           f_join               },
    { "is_alive",       f_is_alive           },
    { "set_main",       f_set_main           },
    { "current",        f_current            },
    { "get_ident",      f_get_ident          },
    { "enumerate",      f_enumerate          },
    { "states",         f_states             },
    { "property_class", tl__f_property_class },
    { NULL,             NULL                 }
  };
  luaL_newmetatable(L, TL__HANDLE);
  luaL_setfuncs(L, handle_meta, 0);
  lua_pop(L, 1);
  luaL_newlib(L, lib);
  tl_errors_open(L);
  lua_setfield(L, -2, "excepthook");
  tl__push_thread_name(L);
  lua_setfield(L, -2, "thread_name");
  return 1;
}
