/* threadlab's main flow: options, the world, the script, the REPL, exit. */
#include "app.h"
#include "text.h"
#include "window.h"

#include <errno.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void tl_app_report(lua_State *L) {
  tl_report_exception(L, -1, NULL);
  lua_pop(L, 1);
}

int tl_app_docall(lua_State *L, int nargs, int nresults) {
  int base = lua_gettop(L) - nargs;
  int status;
  lua_pushcfunction(L, tl_msghandler);
  lua_insert(L, base);
  status = lua_pcall(L, nargs, nresults, base);
  lua_remove(L, base);
  /* A child forked in this chunk (or line, or lesson step) ends with it:
   * it never goes back to the parent's script, prompt or files. */
  if (tl_proc_is_child() && !tl_spawn_bootstrapping()) {
    if (status != LUA_OK) tl_app_report(L);
    tl_proc_child_end(L, status);
  }
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
  tl__deadlocked = tl_is_error(L, -1, "DeadlockError") || tl_is_error(L, -1, "HangError");
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

static int tl__run_script(tl_options *o, lua_State *L, const char *src, size_t len) {
  int i, status;
  tl__set_arg(o, L);
  if (strcmp(o->script, "-") == 0) lua_pushliteral(L, "=stdin");
  else lua_pushfstring(L, "@%s", o->script);
  status = tl_source_load(L, src, len, lua_tostring(L, -1));
  lua_remove(L, -2);
  if (status != LUA_OK) {
    /* A script that does not compile: say so plainly, no traceback. */
    fprintf(stderr, "threadlab: %s\n", lua_tostring(L, -1));
    lua_pop(L, 1);
    return 1;
  }
  for (i = 0; i < o->script_argc; i++) lua_pushstring(L, o->script_argv[i]);
  return tl__run_chunk(L, LUA_OK, o->script_argc);
}

static tl_options *tl__opts;

static void tl__kill_children(void) { tl_procs_kill_all(); }
static int tl__trace_failed; /* --trace could not even begin */

static int tl__new_world(tl_options *o) {
  if (!tl_trace_global) {
    char err[600];
    tl_trace_global = tl_trace_create(o->trace_size, o->trace_text);
    if (!tl_trace_global) {
      perror("threadlab: cannot make the trace");
      return -1;
    }
    tl_trace_set_mode(tl_trace_global, o->trace_mode);
    tl_trace_prefault(tl_trace_global);
    /* Not writable: said once, the run goes on, the exit status says so. */
    if (o->trace_out && tl_trace_stream_start(tl_trace_global, o->trace_out, err, sizeof err) != 0) {
      fprintf(stderr, "threadlab: cannot write the trace: %s; the run goes on without it\n", err);
      tl__trace_failed = 1;
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
  /* as Python's: the main code runs as __main__; a spawned child runs it
   * again as __mp_main__, so `if __name__ == "__main__"` guards what it
   * must not do again */
  lua_pushstring(tl_W->L, tl_spawned() ? "__mp_main__" : "__main__");
  lua_setglobal(tl_W->L, "__name__");
  if (tl_W->cfg.sandbox && tl_sandbox_apply(tl_W->L) != LUA_OK) {
    fprintf(stderr, "threadlab: cannot set up the sandbox\n");
    return -1;
  }
  tl_app_sync_window();
  return 0;
}

void tl_app_sync_window(void) {
  if (tl_W) tl_window_set_rate(tl_W->cfg.clock == TL_CLOCK_REAL ? 1.0 : tl_W->cfg.speed);
}

int tl_app_reset(tl_options *o) {
  tl_procs_kill_all(); /* no child, zombie or orphan survives :reset */
  tl_signals_lock_world();
  tl_world_destroy(tl_W);
  tl_window_lock_trace(); /* the window must not read it half cleared */
  tl_trace_clear(tl_trace_global);
  tl_window_unlock_trace();
  tl_signals_unlock_world();
  return tl__new_world(o);
}

/* Returns 1 when a recording or the streamed trace could not be written
 * whole (each said so when it happened), else 0. A failed recording leaves
 * any older file as it was: the writers rename into place. */
static int tl__write_outputs(tl_options *o) {
  int i, failed = 0;
  char err[512];
  for (i = 0; i < o->nrecords; i++)
    if (tl_record(tl_trace_global, o->records[i], err, sizeof err) != 0) {
      fprintf(stderr, "threadlab: cannot record %s: %s\n", o->records[i], err);
      failed = 1;
    } else if (tl_record_note(tl_trace_global, 0, err, sizeof err)) {
      fprintf(stderr, "threadlab: %s: %s\n", o->records[i], err);
    }
  return tl_trace_stream_finish(tl_trace_global) != 0 || tl__trace_failed || failed;
}

void tl_app_set_main(const tl_options *o) {
  /* what a spawned child runs again: a script file; not stdin or -e */
  if (o->script && strcmp(o->script, "-") != 0) tl_spawn_set_main(o->script, NULL);
  else tl_spawn_set_main(NULL, o->script ? "stdin" : o->nexec ? "-e" : "the REPL");
}

/* A spawned child (--spawn-child FD, started by multiprocessing's spawn
 * start method): a fresh threadlab in its parent's run. It runs the main
 * script again (as __mp_main__; a lesson's narration and checks keep
 * quiet), then the Process it was given, and ends as a child ends: no
 * REPL, no window, no files. */
static int tl__spawned_main(tl_options *o) {
  char err[600];
  lua_State *L;
  int status;
  if (tl_spawn_attach(o->spawn_fd, &o->cfg, err, sizeof err) != 0) {
    fprintf(stderr, "threadlab: %s\n", err);
    return 1;
  }
  tl_signals_start();
  tl_gil_install_signal();
  if (tl__new_world(o) != 0) tl_proc_exit(1);
  L = tl_W->L;
  tl__set_arg(o, L);
  if (o->script) {
    size_t len;
    char *src = tl_source_read(o->script, &len, err, sizeof err);
    if (!src) {
      fprintf(stderr, "threadlab: %s\n", err);
      tl_proc_exit(1);
    }
    lua_getfield(L, LUA_REGISTRYINDEX, "threadlab.mp");
    lua_getfield(L, -1, "_spawn_prepare");
    lua_pushboolean(L, tl_source_is_lesson(src, len));
    lua_call(L, 1, 0);
    lua_pop(L, 1);
    lua_pushfstring(L, "@%s", o->script);
    status = tl_source_load(L, src, len, lua_tostring(L, -1));
    lua_remove(L, -2);
    free(src);
    tl_spawn_set_bootstrapping(1);
    if (status == LUA_OK) status = tl_app_docall(L, 0, 0);
    tl_spawn_set_bootstrapping(0);
    if (status != LUA_OK) {
      tl_app_report(L);
      tl_proc_child_end(L, status);
    }
  }
  lua_getfield(L, LUA_REGISTRYINDEX, "threadlab.mp");
  lua_getfield(L, -1, "_spawn_run");
  lua_remove(L, -2);
  tl_proc_child_end(L, tl_app_docall(L, 0, 0)); /* (an error: said, status 1) */
  return 1;
}

/* threadlab --view FILE: a saved trace in the window, or redrawn into the
 * --record files (a window of it with --from/--to). The file is hostile
 * input: anything wrong with it is said and nothing is drawn. */
static int tl__view(tl_options *o) {
  char err[600];
  int i, rc = 0;
  tl_trace *tr = tl_trace_load(o->view, o->trace_size, 0, 0, err, sizeof err);
  if (!tr) {
    fprintf(stderr, "threadlab: cannot open the trace: %s\n", err);
    return 1;
  }
  if (tl_trace_dropped(tr) && o->view_to > o->view_from) {
    /* more than memory holds: only the window asked for (and the pinned) */
    tl_trace_destroy(tr);
    if (!(tr = tl_trace_load(o->view, o->trace_size, o->view_from, o->view_to, err, sizeof err))) {
      fprintf(stderr, "threadlab: cannot open the trace: %s\n", err);
      return 1;
    }
  }
  for (i = 0; i < o->nrecords; i++)
    if (tl_record_range(tr, o->records[i], o->view_from, o->view_to, err, sizeof err) != 0) {
      fprintf(stderr, "threadlab: cannot record %s: %s\n", o->records[i], err);
      rc = 1;
    }
  if (!o->nrecords) {
    if (o->headless) {
      fprintf(stderr, "threadlab: --view needs a display (or --record FILE to redraw it)\n");
      rc = 1;
    } else if (tl_window_start(tr, err, sizeof err) != 0) {
      fprintf(stderr, "threadlab: %s\n", err);
      rc = 1;
    } else {
      struct timespec ts = {0, 50000000};
      tl_window_set_rate(0);
      while (tl_window_running()) nanosleep(&ts, NULL);
      tl_window_stop();
    }
  }
  tl_text_shutdown();
  tl_trace_destroy(tr);
  return rc;
}

int tl_app_main(int argc, char **argv) {
  tl_options opt;
  int rc = tl_options_parse(&opt, argc, argv), i, shut, is_lesson = 0, is_challenge = 0;
  lua_State *L;
  char *src = NULL, serr[600];
  size_t srclen = 0;
  if (rc < 0) rc = tl_options_check(&opt);
  if (rc >= 0) return rc;
  if ((opt.view_from || opt.view_to) && !(opt.view && opt.nrecords)) {
    fprintf(stderr, "threadlab: --from and --to go with --view FILE --record OUT\n");
    return 2;
  }
  if (opt.view_to && opt.view_to <= opt.view_from) {
    fprintf(stderr, "threadlab: --to must come after --from\n");
    return 2;
  }
  if (opt.view) return tl__view(&opt);
  if (opt.spawned) return tl__spawned_main(&opt);
  /* Input that is not a terminal, and nothing else to run: a script. */
  if (!opt.script && !opt.nexec && !isatty(0)) opt.script = "-";
  if (opt.script) {
    /* Read once: from a pipe there is no second reading. */
    if (!(src = tl_source_read(opt.script, &srclen, serr, sizeof serr))) {
      fprintf(stderr, "threadlab: %s\n", serr);
      return 1;
    }
    is_lesson = tl_source_is_lesson(src, srclen);
    is_challenge = tl_source_is_challenge(src, srclen);
  }
  tl_app_set_main(&opt);
  if ((opt.moves || opt.solve) && !is_challenge) {
    fprintf(stderr, "threadlab: --moves and --solve play a challenge: a file that begins with"
                    " challenge{...} (lessons/challenges/)\n");
    free(src);
    return 2;
  }
  /* A challenge replays the same way every time: the virtual clock, flat out. */
  if (is_challenge && !opt.clock_given) opt.cfg.clock = TL_CLOCK_VIRTUAL;
  if (is_challenge && !opt.speed_given) opt.cfg.speed = 0;
  if (is_lesson && !opt.clock_given) opt.cfg.clock = TL_CLOCK_VIRTUAL;
  tl__opts = &opt;
  rc = 0;
  if (tl_procs_init(opt.max_procs, opt.cfg.clock == TL_CLOCK_VIRTUAL) != 0) {
    perror("threadlab: cannot make the process table");
    return 1;
  }
  atexit(tl__kill_children); /* os.exit too leaves no child behind */
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
    int status = tl_source_load(L, opt.exec[i], strlen(opt.exec[i]), "=(command line)");
    rc = tl__run_chunk(L, status, 0);
  }
  if (rc == 0 && is_lesson) rc = tl_player_run(&opt, opt.script, 0, src, srclen);
  else if (rc == 0 && is_challenge) rc = tl_challenge_run(&opt, opt.script, src, srclen);
  else if (rc == 0 && opt.script) rc = tl__run_script(&opt, L, src, srclen);
  free(src);
  if ((rc == 0 || opt.interactive) && (opt.interactive || (!opt.script && !opt.nexec))) {
    if (opt.list_lessons) tl_player_print_catalog();
    tl_repl_run(&opt), rc = 0;
  }
  tl_challenge_end();
  /* As Python does, the program ends when its non-daemon threads have; but
   * after a Ctrl-C it ends now (Python would wait for a second Ctrl-C, and a
   * runaway thread would keep a student's terminal hostage), and after a
   * deadlock the threads in it will never end. */
  shut = rc == 130 || tl__deadlocked ? 0 : tl_world_wait_non_daemon(tl_W);
  if (shut == 0 && rc != 130) tl_proc_atexit(tl_W->L); /* daemonic children end */
  tl_procs_kill_all(); /* then nothing of the run is left */
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
