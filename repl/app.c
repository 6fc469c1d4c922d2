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

static const char tl__usage[] =
  "usage: threadlab [options] [script.lua [args...]]\n"
  "  -e CODE                 run CODE (may be repeated)\n"
  "  -i                      enter the REPL after running the script\n"
  "  --headless              no timeline window (the default without a display)\n"
  "  --gil py3|py2|none      the GIL policy (default py3; none: virtual clock only)\n"
  "  --switch-interval MS    py3: how long a waiter waits before it asks (default 5)\n"
  "  --check-interval N      py2: instructions between releases (default 100)\n"
  "  --switch-points instruction|statement\n"
  "                          where a thread may be switched (default statement)\n"
  "  --clock real|virtual    real: the OS schedules, sleeps sleep (default);\n"
  "                          virtual: a seeded scheduler, same seed, same run\n"
  "  --seed N                the virtual scheduler's seed (default 1)\n"
  "  --speed X               virtual seconds per wall second (default 1; 0 = flat out)\n"
  "  --cores K               virtual cores (default 2)\n"
  "  --instr-ns N            virtual cost of a Lua instruction (default 10)\n"
  "  --sched auto|manual     manual: you pick who runs (:run T2, :step)\n"
  "  --memory-limit MB       what Lua may allocate (default 4096): a MemoryError past it\n"
  "  --record FILE           write a diagram of the run at exit: .svg, .png, or\n"
  "                          .json (Chrome Trace Event, for ui.perfetto.dev)\n"
  "  --trace FILE            save the raw trace at exit\n"
  "  --auto                  a lesson plays through without pausing at its steps\n"
  "  --lessons               list the lessons, then the REPL (as make run does)\n"
  "  --trace-size N          room for N events (default 8000000)\n"
  "  --dump-trace FILE       print a saved trace, one event a line, and exit\n"
  "  --help, --version\n"
  "With no script and no -e, threadlab starts its REPL (type :help there).\n"
  "A lesson (a file that begins with lesson{...}) plays on the virtual clock\n"
  "at speed 1 and pauses at each step unless --clock, --speed or --auto say else.\n";

static int tl__fail(const char *fmt, const char *a) {
  fprintf(stderr, "threadlab: ");
  fprintf(stderr, fmt, a);
  fprintf(stderr, "\n%s", "try 'threadlab --help'\n");
  return 2;
}

static int tl__number_arg(const char *s, double lo, double hi, double *out) {
  char *end;
  double v;
  errno = 0;
  v = strtod(s, &end);
  if (errno || end == s || *end || !(v >= lo && v <= hi)) return -1;
  *out = v;
  return 0;
}

/* Returns -1 to go on, else an exit status. */
static int tl__parse(tl_options *o, int argc, char **argv) {
  int i;
  memset(o, 0, sizeof *o);
  o->cfg.policy = TL_GIL_PY3;
  o->cfg.switch_points = TL_SWITCH_STATEMENT;
  o->cfg.switch_interval_ns = 5000000;
  o->cfg.check_interval = 100;
  o->cfg.clock = TL_CLOCK_REAL;
  o->cfg.seed = 1;
  o->cfg.speed = 1;
  o->cfg.cores = 2;
  o->cfg.instr_ns = 10;
  o->trace_size = 8000000;
  for (i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    double num;
#define TL__NEEDS_VALUE() if (!v) return tl__fail("%s needs a value", a); i++
    if (a[0] != '-' || strcmp(a, "-") == 0) {
      o->script = a;
      o->script_argc = argc - i - 1;
      o->script_argv = argv + i + 1;
      break;
    } else if (strcmp(a, "--") == 0) {
      if (i + 1 < argc) {
        o->script = argv[i + 1];
        o->script_argc = argc - i - 2;
        o->script_argv = argv + i + 2;
      }
      break;
    } else if (strcmp(a, "-e") == 0) {
      TL__NEEDS_VALUE();
      if (o->nexec == TL__MAX_LIST) return tl__fail("too many %s options", a);
      o->exec[o->nexec++] = v;
    } else if (strcmp(a, "-i") == 0) {
      o->interactive = 1;
    } else if (strcmp(a, "--headless") == 0) {
      o->headless = 1;
    } else if (strcmp(a, "--auto") == 0) {
      o->auto_play = 1;
    } else if (strcmp(a, "--lessons") == 0) {
      o->list_lessons = 1;
    } else if (strcmp(a, "--gil") == 0) {
      TL__NEEDS_VALUE();
      if (strcmp(v, "py3") == 0) o->cfg.policy = TL_GIL_PY3;
      else if (strcmp(v, "py2") == 0) o->cfg.policy = TL_GIL_PY2;
      else if (strcmp(v, "none") == 0) o->cfg.policy = TL_GIL_NONE;
      else return tl__fail("--gil takes py3, py2 or none, not '%s'", v);
    } else if (strcmp(a, "--clock") == 0) {
      TL__NEEDS_VALUE();
      o->clock_given = 1;
      if (strcmp(v, "real") == 0) o->cfg.clock = TL_CLOCK_REAL;
      else if (strcmp(v, "virtual") == 0) o->cfg.clock = TL_CLOCK_VIRTUAL;
      else return tl__fail("--clock takes real or virtual, not '%s'", v);
    } else if (strcmp(a, "--sched") == 0) {
      TL__NEEDS_VALUE();
      if (strcmp(v, "auto") == 0) o->cfg.sched = TL_SCHED_AUTO;
      else if (strcmp(v, "manual") == 0)
        o->cfg.sched = TL_SCHED_MANUAL, o->cfg.clock = TL_CLOCK_VIRTUAL, o->clock_given = 1;
      else return tl__fail("--sched takes auto or manual, not '%s'", v);
    } else if (strcmp(a, "--seed") == 0) {
      TL__NEEDS_VALUE();
      if (tl__number_arg(v, 0, 1e18, &num) || num != (double)(uint64_t)num)
        return tl__fail("--seed takes a whole number, not '%s'", v);
      o->cfg.seed = (uint64_t)num;
    } else if (strcmp(a, "--speed") == 0) {
      TL__NEEDS_VALUE();
      if (tl__number_arg(v, 0, 1e9, &num))
        return tl__fail("--speed takes a number >= 0 (0 = as fast as possible), not '%s'", v);
      o->cfg.speed = num;
    } else if (strcmp(a, "--cores") == 0) {
      TL__NEEDS_VALUE();
      if (tl__number_arg(v, 1, 1024, &num) || num != (int)num)
        return tl__fail("--cores takes a whole number from 1 to 1024, not '%s'", v);
      o->cfg.cores = (int)num;
    } else if (strcmp(a, "--instr-ns") == 0) {
      TL__NEEDS_VALUE();
      if (tl__number_arg(v, 1, 1e6, &num) || num != (int)num)
        return tl__fail("--instr-ns takes a whole number of ns from 1, not '%s'", v);
      o->cfg.instr_ns = (uint64_t)num;
    } else if (strcmp(a, "--memory-limit") == 0) {
      TL__NEEDS_VALUE();
      if (tl__number_arg(v, 16, 1 << 20, &num))
        return tl__fail("--memory-limit takes MiB from 16, not '%s'", v);
      o->cfg.memory_limit = (size_t)num << 20;
    } else if (strcmp(a, "--switch-interval") == 0) {
      TL__NEEDS_VALUE();
      if (tl__number_arg(v, 0.001, 60000, &num))
        return tl__fail("--switch-interval takes milliseconds in (0, 60000], not '%s'", v);
      o->cfg.switch_interval_ns = (uint64_t)(num * 1e6);
    } else if (strcmp(a, "--check-interval") == 0) {
      TL__NEEDS_VALUE();
      if (tl__number_arg(v, 1, 1e9, &num) || num != (int)num)
        return tl__fail("--check-interval takes a positive whole number, not '%s'", v);
      o->cfg.check_interval = (int)num;
    } else if (strcmp(a, "--switch-points") == 0) {
      TL__NEEDS_VALUE();
      if (strcmp(v, "instruction") == 0) o->cfg.switch_points = TL_SWITCH_INSTRUCTION;
      else if (strcmp(v, "statement") == 0) o->cfg.switch_points = TL_SWITCH_STATEMENT;
      else return tl__fail("--switch-points takes instruction or statement, not '%s'", v);
    } else if (strcmp(a, "--record") == 0) {
      TL__NEEDS_VALUE();
      if (o->nrecords == TL__MAX_LIST) return tl__fail("too many %s options", a);
      {
        /* Refused now, not after a long run. */
        char err[600];
        if (tl_record_check(v, err, sizeof err) != 0) {
          fprintf(stderr, "threadlab: --record %s: %s\n", v, err);
          return 2;
        }
      }
      o->records[o->nrecords++] = v;
    } else if (strcmp(a, "--trace") == 0) {
      TL__NEEDS_VALUE();
      o->trace_out = v;
    } else if (strcmp(a, "--trace-size") == 0) {
      TL__NEEDS_VALUE();
      if (tl__number_arg(v, 16, 1e9, &num))
        return tl__fail("--trace-size takes a number of events (16 or more), not '%s'", v);
      o->trace_size = (size_t)num;
    } else if (strcmp(a, "--dump-trace") == 0) {
      char err[512];
      tl_trace *tr;
      TL__NEEDS_VALUE();
      tr = tl_trace_load(v, err, sizeof err);
      if (!tr) {
        fprintf(stderr, "threadlab: %s\n", err);
        return 1;
      }
      tl_trace_dump(tr, stdout);
      tl_trace_destroy(tr);
      return 0;
    } else if (strcmp(a, "--bench-frame") == 0) {
      /* not in --help: for scripts/bench.sh */
      TL__NEEDS_VALUE();
      if (tl__number_arg(v, 100, 1e8, &num)) return tl__fail("--bench-frame takes a number of events, not '%s'", v);
      return tl_bench_frame((long)num);
    } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      fputs(tl__usage, stdout);
      return 0;
    } else if (strcmp(a, "--version") == 0 || strcmp(a, "-v") == 0) {
      printf("threadlab %s (%s)\n", TL_VERSION, LUA_RELEASE);
      return 0;
    } else {
      return tl__fail("unknown option '%s'", a);
    }
#undef TL__NEEDS_VALUE
  }
  if (!getenv("DISPLAY") && !getenv("WAYLAND_DISPLAY")) o->headless = 1;
  if (o->cfg.policy == TL_GIL_NONE && o->cfg.clock != TL_CLOCK_VIRTUAL)
    return tl__fail("%s", "--gil none (free-threaded) needs --clock virtual");
  return -1;
}

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

/* Whether the error on top is a KeyboardInterrupt (exit status 130). */
static int tl__is_interrupt(lua_State *L) {
  int yes;
  lua_getfield(L, -1, "type");
  yes = lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), "KeyboardInterrupt") == 0;
  lua_pop(L, 1);
  return yes;
}

/* Runs a loaded chunk; 0, 1 on an error, 130 on an interrupt. */
static int tl__run_chunk(lua_State *L, int status, int nargs) {
  if (status == LUA_OK) status = tl_app_docall(L, nargs, 0);
  else lua_insert(L, -(nargs + 1)), lua_pop(L, nargs);
  if (status == LUA_OK) return 0;
  if (lua_type(L, -1) == LUA_TTABLE && tl__is_interrupt(L)) {
    tl_app_report(L);
    return 130;
  }
  if (lua_type(L, -1) == LUA_TTABLE) {
    lua_getfield(L, -1, "type");
    tl__deadlocked = lua_isstring(L, -1) && strcmp(lua_tostring(L, -1), "DeadlockError") == 0;
    lua_pop(L, 1);
  }
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

/* Returns 0, or 1 when a recording or the trace could not be written (the
 * older file, if any, is left as it was: the writers rename into place). */
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
  int rc = tl__parse(&opt, argc, argv), i, shut, is_lesson;
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
