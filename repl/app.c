/* threadlab's main flow: options, the world, the script, the REPL, exit. */
#include "app.h"
#include "text.h"
#include "window.h"

#include <errno.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void tl_app_report(lua_State *L) {
  const char *text = tl_format_exception(L, -1);
  size_t len = strlen(text);
  tl_write_out(1, text, len);
  tl_write_out(1, "\n", 1);
  lua_pop(L, 2);
}

int tl_app_docall(lua_State *L, int nargs, int nresults) {
  int base = lua_gettop(L) - nargs;
  int status;
  lua_pushcfunction(L, tl_msghandler);
  lua_insert(L, base);
  status = lua_pcall(L, nargs, nresults, base);
  lua_remove(L, base);
  return status;
}

/* The script ended on a deadlock: its threads will never end, so exit
 * does not wait for them. */
static int tl__deadlocked;

/* Runs a loaded chunk; 0, 1 on an error, 130 on an interrupt. */
static int tl__run_chunk(lua_State *L, int status, int nargs) {
  if (status == LUA_OK) status = tl_app_docall(L, nargs, 0);
  else lua_insert(L, -(nargs + 1)), lua_pop(L, nargs);
  if (status == LUA_OK) return 0;
  if (tl_is_interrupt(L, -1)) { /* exit status 130, as Python's */
    tl_app_report(L);
    return 130;
  }
  tl__deadlocked = tl_is_error(L, -1, "DeadlockError");
  tl_app_report(L);
  return 1;
}

/* arg, as lua.c makes it: arg[0] the script, arg[1..] its arguments. */
static void tl__set_arg(tl_options *o, lua_State *L) {
  int i;
  lua_createtable(L, o->script_argc, 1);
  lua_pushstring(L, o->script ? o->script : "threadlab");
  lua_rawseti(L, -2, 0);
  for (i = 0; i < o->script_argc; i++) {
    lua_pushstring(L, o->script_argv[i]);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setglobal(L, "arg");
}

static int tl__run_script(tl_options *o, lua_State *L) {
  int i, status;
  const char *path = strcmp(o->script, "-") == 0 ? NULL : o->script;
  tl__set_arg(o, L);
  status = luaL_loadfile(L, path);
  if (status != LUA_OK) {
    /* A missing or unreadable script: say so plainly, no traceback. */
    fprintf(stderr, "threadlab: %s\n", lua_tostring(L, -1));
    lua_pop(L, 1);
    return 1;
  }
  for (i = 0; i < o->script_argc; i++) lua_pushstring(L, o->script_argv[i]);
  return tl__run_chunk(L, LUA_OK, o->script_argc);
}

static tl_options *tl__opts;

static int tl__new_world(tl_options *o) {
  if (!tl_trace_global) {
    tl_trace_global = tl_trace_create(o->trace_size, 64u << 20);
    if (!tl_trace_global) {
      perror("threadlab: cannot make the trace");
      return -1;
    }
  }
  /* The Ctrl-C thread reads tl_W under this lock. */
  tl_signals_lock_world();
  if (!tl_world_create(&o->cfg)) {
    tl_signals_unlock_world();
    fprintf(stderr, "threadlab: cannot make the Lua state\n");
    return -1;
  }
  tl_signals_unlock_world();
  if (tl_open_all(tl_W->L) != LUA_OK) {
    fprintf(stderr, "threadlab: cannot open the libraries\n");
    return -1;
  }
  tl_front_open(tl_W->L);
  tl_app_sync_window();
  return 0;
}

void tl_app_sync_window(void) {
  if (tl_W) tl_window_set_rate(tl_W->cfg.clock == TL_CLOCK_REAL ? 1.0 : tl_W->cfg.speed);
}

int tl_app_reset(tl_options *o) {
  tl_signals_lock_world();
  tl_world_destroy(tl_W);
  tl_window_lock_trace(); /* the window must not read it half cleared */
  tl_trace_clear(tl_trace_global);
  tl_window_unlock_trace();
  tl_signals_unlock_world();
  return tl__new_world(o);
}

/* Returns 1 when a recording could not be written (the older file, if
 * any, is left as it was: the writers rename into place), else 0. */
static int tl__write_outputs(tl_options *o) {
  int i, failed = 0;
  char err[512];
  for (i = 0; i < o->nrecords; i++)
    if (tl_record(tl_trace_global, o->records[i], err, sizeof err) != 0) {
      fprintf(stderr, "threadlab: cannot record %s: %s\n", o->records[i], err);
      failed = 1;
    }
  if (o->trace_out && tl_trace_save(tl_trace_global, o->trace_out) != 0)
    fprintf(stderr, "threadlab: cannot save the trace to %s: %s\n", o->trace_out,
            strerror(errno));
  return failed;
}

int tl_app_main(int argc, char **argv) {
  tl_options opt;
  int rc = tl_options_parse(&opt, argc, argv), i, shut, is_lesson;
  lua_State *L;
  if (rc >= 0) return rc;
  is_lesson = opt.script && tl_player_is_lesson(opt.script);
  if (is_lesson && !opt.clock_given) opt.cfg.clock = TL_CLOCK_VIRTUAL;
  tl__opts = &opt;
  rc = 0;
  tl_signals_start();
  tl_gil_install_signal();
  if (tl__new_world(&opt) != 0) return 1;
  if (!opt.headless) {
    char err[300];
    if (tl_window_start(tl_trace_global, err, sizeof err) != 0)
      fprintf(stderr, "threadlab: %s (going on without the window)\n", err);
  }
  L = tl_W->L;
  tl__set_arg(&opt, L);
  for (i = 0; i < opt.nexec && rc == 0; i++) {
    int status = luaL_loadbuffer(L, opt.exec[i], strlen(opt.exec[i]), "=(command line)");
    rc = tl__run_chunk(L, status, 0);
  }
  if (rc == 0 && is_lesson) rc = tl_player_run(&opt, opt.script, 0);
  else if (rc == 0 && opt.script) rc = tl__run_script(&opt, L);
  else if (rc == 0 && !opt.nexec && !isatty(0)) {
    opt.script = "-";
    rc = tl__run_script(&opt, L);
  }
  if ((rc == 0 || opt.interactive) && (opt.interactive || (!opt.script && !opt.nexec))) {
    if (opt.list_lessons) tl_player_print_catalog();
    tl_repl_run(&opt), rc = 0;
  }
  /* As Python does, the program ends when its non-daemon threads have; but
   * after a Ctrl-C it ends now (Python would wait for a second Ctrl-C, and a
   * runaway thread would keep a student's terminal hostage), and after a
   * deadlock the threads in it will never end. */
  shut = rc == 130 || tl__deadlocked ? 0 : tl_world_wait_non_daemon(tl_W);
  tl_signals_lock_world();
  tl_world_destroy(tl_W);
  tl_signals_unlock_world();
  if (shut == 1 && rc == 0) rc = 1;
  if (shut == 130) {
    tl_write_out(1, "KeyboardInterrupt\n", 18);
    rc = 130;
  }
  tl_signals_stop();
  tl_window_stop(); /* a script without -i: the window closes when it ends */
  if (tl__write_outputs(&opt) && rc == 0) rc = 1;
  tl_text_shutdown();
  tl_trace_destroy(tl_trace_global);
  tl_trace_global = NULL;
  return rc;
}
