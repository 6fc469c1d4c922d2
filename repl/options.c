/* The command line: one table of options from which the parser and
 * --help are both made, as lua.c's collectargs and its usage read one
 * list. To add an option, add a row (and its setter). */
#include "app.h"
#include "window.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int tl__fail(const char *fmt, const char *a) {
  fprintf(stderr, "threadlab: ");
  fprintf(stderr, fmt, a);
  fprintf(stderr, "\n%s", "try 'threadlab --help'\n");
  return 2;
}

/* v as a number in [lo, hi] (whole: an integer); 0, or -1 when it is not. */
static int tl__number_arg(const char *s, double lo, double hi, int whole, double *out) {
  char *end;
  double v;
  errno = 0;
  v = strtod(s, &end);
  if (errno || end == s || *end || !(v >= lo && v <= hi)) return -1;
  if (whole && v != (double)(uint64_t)v) return -1;
  *out = v;
  return 0;
}

/* Which of the words (separated by '|') v is: its index, or -1. */
static int tl__choice(const char *words, const char *v) {
  size_t n = strlen(v);
  int i = 0;
  for (const char *w = words; *w; i++) {
    size_t len = strcspn(w, "|");
    if (len == n && strncmp(w, v, n) == 0) return i;
    w += len + (w[len] == '|');
  }
  return -1;
}

#define TL__GO_ON (-1)

static int tl__set_exec(tl_options *o, const char *a, const char *v) {
  if (o->nexec == TL__MAX_LIST) return tl__fail("too many %s options", a);
  o->exec[o->nexec++] = v;
  return TL__GO_ON;
}

static int tl__set_interactive(tl_options *o, const char *a, const char *v) {
  o->interactive = 1;
  return TL__GO_ON;
}

static int tl__set_headless(tl_options *o, const char *a, const char *v) {
  o->headless = 1;
  return TL__GO_ON;
}

static int tl__set_gil(tl_options *o, const char *a, const char *v) {
  static const int policy[] = {TL_POLICY_PY3, TL_POLICY_PY2, TL_POLICY_NONE};
  int i = tl__choice("py3|py2|none", v);
  if (i < 0) return tl__fail("--gil takes py3, py2 or none, not '%s'", v);
  o->cfg.policy = policy[i];
  return TL__GO_ON;
}

static int tl__set_switch_interval(tl_options *o, const char *a, const char *v) {
  double num;
  if (tl__number_arg(v, 0.001, 60000, 0, &num))
    return tl__fail("--switch-interval takes milliseconds in (0, 60000], not '%s'", v);
  o->cfg.switch_interval_ns = (uint64_t)(num * 1e6);
  return TL__GO_ON;
}

static int tl__set_check_interval(tl_options *o, const char *a, const char *v) {
  double num;
  if (tl__number_arg(v, 1, 1e9, 1, &num))
    return tl__fail("--check-interval takes a positive whole number, not '%s'", v);
  o->cfg.check_interval = (int)num;
  return TL__GO_ON;
}

static int tl__set_switch_points(tl_options *o, const char *a, const char *v) {
  int i = tl__choice("instruction|statement", v);
  if (i < 0) return tl__fail("--switch-points takes instruction or statement, not '%s'", v);
  o->cfg.switch_points = i == 0 ? TL_SWITCH_INSTRUCTION : TL_SWITCH_STATEMENT;
  return TL__GO_ON;
}

static int tl__set_clock(tl_options *o, const char *a, const char *v) {
  int i = tl__choice("real|virtual", v);
  o->clock_given = 1;
  if (i < 0) return tl__fail("--clock takes real or virtual, not '%s'", v);
  o->cfg.clock = i == 0 ? TL_CLOCK_REAL : TL_CLOCK_VIRTUAL;
  return TL__GO_ON;
}

static int tl__set_seed(tl_options *o, const char *a, const char *v) {
  double num;
  if (tl__number_arg(v, 0, 1e18, 1, &num))
    return tl__fail("--seed takes a whole number, not '%s'", v);
  o->cfg.seed = (uint64_t)num;
  return TL__GO_ON;
}

static int tl__set_speed(tl_options *o, const char *a, const char *v) {
  double num;
  if (tl__number_arg(v, 0, 1e9, 0, &num))
    return tl__fail("--speed takes a number >= 0 (0 = as fast as possible), not '%s'", v);
  o->cfg.speed = num;
  o->speed_given = 1;
  return TL__GO_ON;
}

static int tl__set_cores(tl_options *o, const char *a, const char *v) {
  double num;
  if (tl__number_arg(v, 1, 1024, 1, &num))
    return tl__fail("--cores takes a whole number from 1 to 1024, not '%s'", v);
  o->cfg.cores = (int)num;
  return TL__GO_ON;
}

static int tl__set_instr_ns(tl_options *o, const char *a, const char *v) {
  double num;
  if (tl__number_arg(v, 1, 1e6, 1, &num))
    return tl__fail("--instr-ns takes a whole number of ns from 1, not '%s'", v);
  o->cfg.instr_ns = (uint64_t)num;
  return TL__GO_ON;
}

static int tl__set_sched(tl_options *o, const char *a, const char *v) {
  int i = tl__choice("auto|manual", v);
  if (i < 0) return tl__fail("--sched takes auto or manual, not '%s'", v);
  if (i == 0) o->cfg.sched = TL_SCHED_AUTO;
  else o->cfg.sched = TL_SCHED_MANUAL, o->cfg.clock = TL_CLOCK_VIRTUAL, o->clock_given = 1;
  return TL__GO_ON;
}

static int tl__set_memory_limit(tl_options *o, const char *a, const char *v) {
  double num;
  if (tl__number_arg(v, 16, 1 << 20, 0, &num))
    return tl__fail("--memory-limit takes MiB from 16, not '%s'", v);
  o->cfg.memory_limit = (size_t)num << 20;
  return TL__GO_ON;
}

static int tl__set_max_procs(tl_options *o, const char *a, const char *v) {
  double num;
  if (tl__number_arg(v, 1, 4000, 1, &num))
    return tl__fail("--max-procs takes a whole number from 1 to 4000, not '%s'", v);
  o->max_procs = (int)num;
  return TL__GO_ON;
}

static int tl__set_record(tl_options *o, const char *a, const char *v) {
  char err[600];
  if (o->nrecords == TL__MAX_LIST) return tl__fail("too many %s options", a);
  /* Refused now, not after a long run. */
  if (tl_record_check(v, err, sizeof err) != 0) {
    fprintf(stderr, "threadlab: --record %s: %s\n", v, err);
    return 2;
  }
  o->records[o->nrecords++] = v;
  return TL__GO_ON;
}

static int tl__set_trace(tl_options *o, const char *a, const char *v) {
  o->trace_out = v;
  return TL__GO_ON;
}

static int tl__set_auto(tl_options *o, const char *a, const char *v) {
  o->auto_play = 1;
  return TL__GO_ON;
}

static int tl__set_moves(tl_options *o, const char *a, const char *v) {
  o->moves = v;
  return TL__GO_ON;
}

static int tl__set_solve(tl_options *o, const char *a, const char *v) {
  o->solve = 1;
  o->script = v;
  return TL__GO_ON;
}

static int tl__set_sandbox(tl_options *o, const char *a, const char *v) {
  o->cfg.sandbox = 1;
  return TL__GO_ON;
}

static int tl__set_record_dir(tl_options *o, const char *a, const char *v) {
  struct stat st;
  if (stat(v, &st) != 0 || !S_ISDIR(st.st_mode))
    return tl__fail("--record-dir takes an existing folder, not '%s'", v);
  o->cfg.record_dir = v;
  return TL__GO_ON;
}

/* threadlab's own: the child a parent starts for multiprocessing's spawn
 * start method (sim/spawn.c) reads what it needs from this fd. */
static int tl__set_spawn_child(tl_options *o, const char *a, const char *v) {
  double num;
  if (tl__number_arg(v, 0, 1 << 20, 1, &num))
    return tl__fail("--spawn-child takes a file descriptor, not '%s'", v);
  o->spawned = 1;
  o->spawn_fd = (int)num;
  return TL__GO_ON;
}

static int tl__set_lessons(tl_options *o, const char *a, const char *v) {
  o->list_lessons = 1;
  return TL__GO_ON;
}

static int tl__set_trace_size(tl_options *o, const char *a, const char *v) {
  double num;
  if (tl__number_arg(v, 16, 1e9, 0, &num))
    return tl__fail("--trace-size takes a number of events (16 or more), not '%s'", v);
  o->trace_size = (size_t)num;
  return TL__GO_ON;
}

static int tl__set_trace_text(tl_options *o, const char *a, const char *v) {
  double num;
  if (tl__number_arg(v, 1, 65536, 1, &num))
    return tl__fail("--trace-text takes MiB from 1 to 65536, not '%s'", v);
  o->trace_text = (size_t)num << 20;
  return TL__GO_ON;
}

static int tl__set_max_threads(tl_options *o, const char *a, const char *v) {
  double num;
  if (tl__number_arg(v, 1, 1000000, 1, &num))
    return tl__fail("--max-threads takes a whole number from 1, not '%s'", v);
  o->cfg.max_threads = (int)num;
  return TL__GO_ON;
}

static int tl__set_trace_mode(tl_options *o, const char *a, const char *v) {
  int i = tl__choice("ring|stop", v);
  if (i < 0) return tl__fail("--trace-mode takes ring or stop, not '%s'", v);
  o->trace_mode = i == 0 ? TL_TRACE_RING : TL_TRACE_STOP;
  return TL__GO_ON;
}

static int tl__set_view(tl_options *o, const char *a, const char *v) {
  o->view = v;
  return TL__GO_ON;
}

static int tl__set_from_to(tl_options *o, const char *a, const char *v) {
  double num;
  if (tl__number_arg(v, 0, 1e9, 0, &num))
    return tl__fail("--from and --to take seconds (0 or more), not '%s'", v);
  if (a[2] == 'f') o->view_from = (uint64_t)(num * 1e9 + 0.5);
  else o->view_to = (uint64_t)(num * 1e9 + 0.5);
  return TL__GO_ON;
}

/* The pace of animated recordings: taken at once (recordings are made at
 * exit, after every option is read). */
static int tl__set_anim(tl_options *o, const char *a, const char *v) {
  double num;
  int fps = a[7] == 'f';
  if (tl__number_arg(v, 1, fps ? 50 : 600, 0, &num))
    return tl__fail(fps ? "--anim-fps takes frames a second (1 to 50), not '%s'"
                        : "--anim-seconds takes seconds (1 to 600), not '%s'", v);
  tl_record_set_anim(fps ? num : 0, fps ? 0 : num);
  return TL__GO_ON;
}

/* Reads the file as it goes: a streamed trace of any size. */
static int tl__do_dump_trace(tl_options *o, const char *a, const char *v) {
  char err[512];
  if (tl_trace_dump_file(v, stdout, err, sizeof err) != 0) {
    fflush(stdout);
    fprintf(stderr, "threadlab: %s\n", err);
    return 1;
  }
  return 0;
}

static int tl__do_bench_frame(tl_options *o, const char *a, const char *v) {
  double num;
  if (tl__number_arg(v, 100, 1e8, 0, &num))
    return tl__fail("--bench-frame takes a number of events, not '%s'", v);
  return tl_bench_frame((long)num);
}

static int tl__do_help(tl_options *o, const char *a, const char *v) {
  tl_options_usage(stdout);
  return 0;
}

static int tl__do_version(tl_options *o, const char *a, const char *v) {
  printf("threadlab %s (%s)\n", TL_VERSION, LUA_RELEASE);
  return 0;
}

/* name, alias, value (NULL: a flag; a|b|c: one of these words), help (NULL:
 * hidden; '\n' starts another line), sample (a value the option accepts,
 * for the test of this table; a choice's first word if NULL), setter. */
const tl_option tl_option_table[] = {
    {"-e", NULL, "CODE", "run CODE (may be repeated)", "x = 1", tl__set_exec},
    {"-i", NULL, NULL, "enter the REPL after running the script", NULL, tl__set_interactive},
    {"--headless", NULL, NULL, "no timeline window (the default without a display)", NULL,
     tl__set_headless},
    {"--gil", NULL, "py3|py2|none", "the GIL policy (default py3; none: virtual clock only)",
     NULL, tl__set_gil},
    {"--switch-interval", NULL, "MS", "py3: how long a waiter waits before it asks (default 5)",
     "5", tl__set_switch_interval},
    {"--check-interval", NULL, "N", "py2: ticks between releases (default 100)", "100",
     tl__set_check_interval},
    {"--switch-points", NULL, "instruction|statement",
     "where a thread may be switched (default statement)", NULL, tl__set_switch_points},
    {"--clock", NULL, "real|virtual",
     "real: the OS schedules, sleeps sleep (default);\n"
     "virtual: a seeded scheduler, same seed, same run",
     NULL, tl__set_clock},
    {"--seed", NULL, "N", "the virtual scheduler's seed (default 1)", "7", tl__set_seed},
    {"--speed", NULL, "X", "virtual seconds per wall second (default 1; 0 = flat out)", "0",
     tl__set_speed},
    {"--cores", NULL, "K", "virtual cores (default 2)", "2", tl__set_cores},
    {"--instr-ns", NULL, "N", "virtual cost of a Lua instruction (default 10)", "10",
     tl__set_instr_ns},
    {"--sched", NULL, "auto|manual", "manual: you pick who runs (:run T2, :step)", NULL,
     tl__set_sched},
    {"--memory-limit", NULL, "MB", "what Lua may allocate (default 4096): a MemoryError past it",
     "64", tl__set_memory_limit},
    {"--max-procs", NULL, "N",
     "processes a run may have live or unreaped (default 64):\n"
     "a fork past it raises BlockingIOError; 100 such = a fork bomb, ended",
     "64", tl__set_max_procs},
    {"--sandbox", NULL, NULL,
     "for lessons from others: no os.execute, io.popen, C modules,\n"
     "debug library or string.dump; files are written only inside --record-dir",
     NULL, tl__set_sandbox},
    {"--record-dir", NULL, "DIR", "where a sandboxed run may write files", ".",
     tl__set_record_dir},
    {"--record", NULL, "FILE",
     "write a diagram of the run at exit: .svg, .png,\n"
     ".html (one page to explore offline: zoom, steps),\n"
     ".gif or .apng (the timeline growing, steps held),\n"
     ".json (Chrome Trace Event, for ui.perfetto.dev), or\n"
     ".dl (the picture's display list as text)",
     "out.svg", tl__set_record},
    {"--anim-fps", NULL, "N", "frames a second of a .gif/.apng recording (10)", "10",
     tl__set_anim},
    {"--anim-seconds", NULL, "S", "about how long a .gif/.apng recording plays (10)", "10",
     tl__set_anim},
    {"--trace", NULL, "FILE",
     "keep every event in FILE: streamed to FILE.part as\n"
     "the run goes, renamed to FILE at exit",
     "out.trace", tl__set_trace},
    {"--trace-mode", NULL, "ring|stop",
     "when the in-memory log is full: ring (default)\n"
     "drops the oldest events, stop keeps the first",
     NULL, tl__set_trace_mode},
    {"--view", NULL, "FILE", "open a saved trace (with --record: redraw it)", "t.trace",
     tl__set_view},
    {"--from", NULL, "S", "with --view --record: from S seconds on", "0", tl__set_from_to},
    {"--to", NULL, "S", "with --view --record: up to S seconds", "1", tl__set_from_to},
    {"--auto", NULL, NULL, "a lesson plays through without pausing at its steps", NULL,
     tl__set_auto},
    {"--moves", NULL, "\"T2 T3 ...\"",
     "a challenge: make these moves, let the seeded scheduler\n"
     "run the rest, then say whether the goal was reached (exit 0) or not (1)",
     "T2 T3", tl__set_moves},
    {"--solve", NULL, "FILE",
     "a challenge: search for the shortest winning schedule;\n"
     "prints solution: T2 T3 ... (exit 0) or no solution within N moves (1)",
     "c.lua", tl__set_solve},
    {"--lessons", NULL, NULL, "list the lessons, then the REPL (as make run does)", NULL,
     tl__set_lessons},
    {"--trace-size", NULL, "N", "room for N events in memory (default 2000000)", "1000",
     tl__set_trace_size},
    {"--trace-text", NULL, "MB", "room for names and printed text in the trace (default 64)",
     "64", tl__set_trace_text},
    {"--max-threads", NULL, "N", "threads that may run at once (default 10000)", "100",
     tl__set_max_threads},
    {"--dump-trace", NULL, "FILE", "print a saved trace, one event a line, and exit",
     "/dev/null", tl__do_dump_trace},
    /* multiprocessing's spawn start method starts a child with it */
    {"--spawn-child", NULL, "FD", NULL, "3", tl__set_spawn_child},
    /* for scripts/bench.sh: one frame of the window over N events */
    {"--bench-frame", NULL, "N", NULL, "1000", tl__do_bench_frame},
    {"--help", "-h", NULL, "this text", NULL, tl__do_help},
    {"--version", "-v", NULL, "threadlab's version and Lua's", NULL, tl__do_version},
    {NULL, NULL, NULL, NULL, NULL, NULL}};

const tl_option *tl_option_find(const char *arg) {
  const tl_option *p;
  for (p = tl_option_table; p->name; p++)
    if (strcmp(arg, p->name) == 0 || (p->alias && strcmp(arg, p->alias) == 0)) return p;
  return NULL;
}

void tl_help_entry(FILE *out, const char *left, const char *help, int col, int wrap) {
  int n = fprintf(out, "%s", left);
  if (n < col) fprintf(out, "%*s", col - n, "");
  else if (wrap) fprintf(out, "\n%*s", col, "");
  else fputs("  ", out);
  while (*help) {
    size_t len = strcspn(help, "\n");
    fprintf(out, "%.*s\n", (int)len, help);
    help += len;
    if (*help == '\n' && *++help) fprintf(out, "%*s", col, "");
  }
}

#define TL__HELP_COL 26

void tl_options_usage(FILE *out) {
  const tl_option *p;
  fputs("usage: threadlab [options] [script.lua [args...]]\n", out);
  for (p = tl_option_table; p->name; p++) {
    char left[80];
    if (!p->help) continue;
    snprintf(left, sizeof left, "  %s%s%s%s%s", p->name, p->alias ? ", " : "",
             p->alias ? p->alias : "", p->value ? " " : "", p->value ? p->value : "");
    tl_help_entry(out, left, p->help, TL__HELP_COL, 1);
  }
  fputs("With no script and no -e, threadlab starts its REPL (type :help there).\n"
        "A lesson (a file that begins with lesson{...}) plays on the virtual clock\n"
        "at speed 1 (or its own pace) and pauses at each step unless --clock, --speed\n"
        "or --auto say else.\n",
        out);
}

/* The rules between options (each option alone parses: see test_front). */
int tl_options_check(const tl_options *o) {
  if (o->view && (o->script || o->nexec || o->trace_out))
    return tl__fail("%s", "--view opens a saved trace: no script, -e or --trace with it");
  if ((o->view_from || o->view_to) && !(o->view && o->nrecords))
    return tl__fail("%s", "--from and --to go with --view FILE --record OUT");
  if (o->view_to && o->view_to <= o->view_from)
    return tl__fail("%s", "--to must come after --from");
  return TL__GO_ON;
}

int tl_options_parse(tl_options *o, int argc, char **argv) {
  int i, rc;
  memset(o, 0, sizeof *o);
  o->cfg.policy = TL_POLICY_PY3;
  o->cfg.switch_points = TL_SWITCH_STATEMENT;
  o->cfg.switch_interval_ns = 5000000;
  o->cfg.check_interval = 100;
  o->cfg.clock = TL_CLOCK_REAL;
  o->cfg.seed = 1;
  o->cfg.speed = 1;
  o->cfg.cores = 2;
  o->cfg.instr_ns = 10;
  o->max_procs = 64;
  o->trace_size = TL_DEFAULT_TRACE_SIZE;
  o->trace_text = (size_t)64 << 20;
  o->cfg.max_threads = 10000;
  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    const tl_option *p;
    if (a[0] != '-' || strcmp(a, "-") == 0) {
      o->script = a;
      o->script_argc = argc - i - 1;
      o->script_argv = argv + i + 1;
      break;
    }
    if (strcmp(a, "--") == 0) {
      if (i + 1 < argc) {
        o->script = argv[i + 1];
        o->script_argc = argc - i - 2;
        o->script_argv = argv + i + 2;
      }
      break;
    }
    if (!(p = tl_option_find(a))) return tl__fail("unknown option '%s'", a);
    if (p->value && i + 1 >= argc) return tl__fail("%s needs a value", a);
    rc = p->set(o, a, p->value ? argv[++i] : NULL);
    if (rc != TL__GO_ON) return rc;
  }
  if (!getenv("DISPLAY") && !getenv("WAYLAND_DISPLAY")) o->headless = 1;
  if (o->cfg.policy == TL_POLICY_NONE && o->cfg.clock != TL_CLOCK_VIRTUAL)
    return tl__fail("%s", "--gil none (free-threaded) needs --clock virtual");
  if (o->view && (o->script || o->nexec || o->trace_out))
    return tl__fail("%s", "--view opens a saved trace: no script, -e or --trace with it");
  if (o->moves && o->solve) return tl__fail("%s", "--moves replays moves, --solve finds them: one of the two");
  return TL__GO_ON;
}
