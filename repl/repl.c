/* The REPL, in the manner of lua.c: an expression prints its value (it is
 * tried as "return <line>" first), incomplete input continues on a ">>"
 * line, errors come with a traceback, and Ctrl-C gives back the prompt.
 * Lines come from input.c's reader thread, so MainThread waits for the user
 * without the GIL and the other threads run on. */
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <editline/readline.h>

#include "app.h"
#include "window.h"

#define TL__PROMPT "> "
#define TL__PROMPT2 ">> "

static char *tl__kept;      /* what was typed when the window asked for a command */
static char tl__history[1024];
static int tl__hold_world; /* the lesson player's prompt: the world stands still */
static char tl__wcmd[64];  /* a command from the window (keys 1-9) */

static int tl__window_asks(void) { return tl_window_take_request(tl__wcmd, sizeof tl__wcmd); }

/* Reads one line without the GIL (or, for the lesson player, keeping it, so
 * every other thread stands still); NULL at end of input. Ctrl-C abandons
 * the line being typed and returns "" with *interrupted set. */
static char *tl__read_line(const char *prompt, int *interrupted) {
  tl_thread *self = tl__self;
  char *line, *kept = tl__kept;
  int status;
  *interrupted = 0;
  tl__kept = NULL;
  tl__wcmd[0] = '\0';
  if (!tl__hold_world) tl_leave_world(self);
  tl_signals_at_prompt(1);
  line = tl_input_read(prompt, kept, tl_window_request_fd(), tl__window_asks, &status);
  free(kept);
  tl_signals_at_prompt(0);
  tl_mutex_lock(&tl_W->mu);
  self->cancel = TL_CANCEL_NONE; /* a Ctrl-C at the prompt is spent */
  tl_mutex_unlock(&tl_W->mu);
  if (!tl__hold_world) tl_enter_world(self);
  if (status == TL_INPUT_INTERRUPT) {
    free(line);
    *interrupted = 1;
    fputs("\nKeyboardInterrupt\n", stdout);
    fflush(stdout);
    return strdup("");
  }
  if (status == TL_INPUT_OTHER) {
    /* The window's command runs now; what was typed comes back after. */
    tl__kept = line && *line ? line : (free(line), NULL);
    printf("\r%s%s\n", prompt, tl__wcmd);
    fflush(stdout);
    return strdup(tl__wcmd);
  }
  return status == TL_INPUT_EOF ? (free(line), NULL) : line;
}

/* lua.c's test: a syntax error that ends at <eof> wants more input. */
static int tl__incomplete(lua_State *L, int status) {
  if (status == LUA_ERRSYNTAX) {
    size_t len;
    const char *msg = lua_tolstring(L, -1, &len);
    if (len >= 5 && strcmp(msg + len - 5, "<eof>") == 0) {
      lua_pop(L, 1);
      return 1;
    }
  }
  return 0;
}

/* Compiles the input, reading continuation lines as needed. Leaves the
 * chunk (or an error) on the stack; returns the status, or -1 at EOF. */
static int tl__load(lua_State *L, char *first, int *interrupted) {
  luaL_Buffer b;
  int status;
  const char *code;
  size_t len;
  lua_pushfstring(L, "return %s", first);
  code = lua_tolstring(L, -1, &len);
  status = luaL_loadbufferx(L, code, len, "=stdin", "t");
  if (status == LUA_OK) {
    lua_remove(L, -2);
    add_history(first);
    return status;
  }
  lua_pop(L, 2);
  lua_pushstring(L, first);
  for (;;) {
    char *more;
    code = lua_tolstring(L, -1, &len);
    status = luaL_loadbufferx(L, code, len, "=stdin", "t");
    if (!tl__incomplete(L, status)) break;
    more = tl__read_line(TL__PROMPT2, interrupted);
    if (!more || *interrupted) {
      free(more);
      lua_pop(L, 1);
      return more ? -2 : -1;
    }
    luaL_buffinit(L, &b);
    lua_pushvalue(L, -2);
    luaL_addvalue(&b);
    luaL_addchar(&b, '\n');
    luaL_addstring(&b, more);
    luaL_pushresult(&b);
    lua_remove(L, -2);
    free(more);
  }
  if (status == LUA_OK) {
    code = lua_tostring(L, -2);
    add_history(code);
  }
  lua_remove(L, -2);
  return status;
}

/* Prints what an expression returned, as lua.c does (through print). */
static void tl__print_results(lua_State *L, int base) {
  int n = lua_gettop(L) - base;
  if (n <= 0) return;
  lua_getglobal(L, "print");
  lua_insert(L, base + 1);
  if (tl_app_docall(L, n, 0) != LUA_OK) tl_app_report(L);
}

/* The threads of process pid among others() (at idx): id, name, doing. */
static void tl__cmd_threads_of(lua_State *L, int idx, lua_Integer pid) {
  for (lua_Integer j = 1; lua_rawgeti(L, idx, j) == LUA_TTABLE; j++) {
    lua_getfield(L, -1, "pid");
    if (lua_tointeger(L, -1) == pid) {
      lua_getfield(L, -2, "tid");
      lua_getfield(L, -3, "name");
      lua_getfield(L, -4, "doing");
      printf("      T%-3s %-20s %s\n", lua_tostring(L, -3), lua_tostring(L, -2),
             lua_tostring(L, -1));
      lua_pop(L, 3);
    }
    lua_pop(L, 2);
  }
  lua_pop(L, 1);
}

/* Every live thread, oldest first: id, name, state, and where it stands. */
static void tl__cmd_threads(lua_State *L) {
  lua_Integer n;
  lua_getglobal(L, "threading");
  lua_getfield(L, -1, "_core");
  lua_getfield(L, -1, "states");
  lua_call(L, 0, 1);
  n = (lua_Integer)lua_rawlen(L, -1);
  for (lua_Integer i = n; i >= 1; i--) {
    lua_rawgeti(L, -1, i);
    lua_getfield(L, -1, "name");
    lua_getfield(L, -2, "id");
    lua_getfield(L, -3, "state");
    lua_getfield(L, -4, "daemon");
    lua_getfield(L, -5, "where");
    printf("  T%-3s %-20s %s%s%s%s\n", lua_tostring(L, -4), lua_tostring(L, -5),
           lua_tostring(L, -3), lua_toboolean(L, -2) ? " (daemon)" : "",
           lua_isstring(L, -1) ? "  at " : "", lua_isstring(L, -1) ? lua_tostring(L, -1) : "");
    lua_pop(L, 6);
  }
  lua_pop(L, 3);
  /* the other processes of the run: what the kernel says of each, then
   * its threads as the trace and the shared wait-for graph have them */
  lua_getglobal(L, "threading");
  lua_getfield(L, -1, "_deadlock");
  lua_getfield(L, -1, "others");
  lua_call(L, 0, 1);
  lua_replace(L, -3);
  lua_pop(L, 1);
  lua_getglobal(L, "multiprocessing");
  if (lua_istable(L, -1) && lua_getfield(L, -1, "_processes") == LUA_TFUNCTION) {
    lua_call(L, 0, 1);
    n = (lua_Integer)lua_rawlen(L, -1);
    if (n) printf("  other processes of this run:\n");
    for (lua_Integer i = 1; i <= n; i++) {
      lua_rawgeti(L, -1, i);
      lua_getfield(L, -1, "pid");
      lua_getfield(L, -2, "name");
      lua_getfield(L, -3, "ppid");
      lua_getfield(L, -4, "state");
      lua_getfield(L, -5, "threads");
      printf("  pid %-7s %-20s parent %s, %s, %s thread(s)\n", lua_tostring(L, -5),
             lua_tostring(L, -4), lua_tostring(L, -3), lua_tostring(L, -2), lua_tostring(L, -1));
      tl__cmd_threads_of(L, lua_gettop(L) - 8, lua_tointeger(L, -5));
      lua_pop(L, 6);
    }
  }
  lua_pop(L, 3);
  fflush(stdout);
}

/* :locks -- every live Lock and RLock with its holder and waiters, then the
 * deadlocks found (threading._deadlock, from sim/deadlocklib.c). */
static void tl__cmd_locks_who(lua_State *L, int idx) {
  lua_getfield(L, idx, "name");
  fputs(lua_tostring(L, -1), stdout);
  lua_getfield(L, idx, "ended");
  lua_getfield(L, idx, "deadlocked");
  if (lua_toboolean(L, -2)) fputs(" (ended)", stdout);
  else if (lua_toboolean(L, -1)) fputs(" (deadlocked)", stdout);
  lua_pop(L, 3);
}

static void tl__cmd_locks(lua_State *L) {
  int n = 0;
  lua_getglobal(L, "threading");
  lua_getfield(L, -1, "_deadlock");
  lua_getfield(L, -1, "locks");
  lua_call(L, 0, 1);
  for (lua_Integer i = 1; lua_rawgeti(L, -1, i) == LUA_TTABLE; i++, n++) {
    int row = lua_gettop(L);
    lua_getfield(L, row, "type");
    lua_getfield(L, row, "name");
    printf("  %-5s %-20s ", lua_tostring(L, -2), lua_tostring(L, -1));
    lua_pop(L, 2);
    if (lua_getfield(L, row, "holder") == LUA_TTABLE) {
      fputs("held by ", stdout);
      tl__cmd_locks_who(L, lua_gettop(L));
      lua_getfield(L, row, "count");
      if (lua_tointeger(L, -1) > 1) printf(" (count %d)", (int)lua_tointeger(L, -1));
      lua_pop(L, 1);
    } else {
      fputs("free", stdout);
    }
    lua_pop(L, 1);
    lua_getfield(L, row, "waiters");
    for (lua_Integer j = 1; lua_rawgeti(L, -1, j) == LUA_TTABLE; j++) {
      fputs(j == 1 ? "; waiting: " : ", ", stdout);
      tl__cmd_locks_who(L, lua_gettop(L));
      lua_pop(L, 1);
    }
    lua_pop(L, 2);
    fputs("\n", stdout);
    lua_pop(L, 1);
  }
  if (n == 0) fputs("  no locks\n", stdout);
  lua_pop(L, 2);
  lua_getfield(L, -1, "found");
  lua_call(L, 0, 1);
  for (lua_Integer i = 1; lua_rawgeti(L, -1, i) == LUA_TSTRING; i++) {
    printf("deadlock: %s\n", lua_tostring(L, -1));
    lua_pop(L, 1);
  }
  lua_pop(L, 4);
  fflush(stdout);
}

/* Calls lab.NAME with the command's argument words (numbers as numbers);
 * prints an error as the REPL would. Returns 0 when it went well. */
static int tl__call_lab(lua_State *L, const char *fname, const char *args) {
  char buf[256];
  int n = 0, status;
  const char *tok;
  lua_getglobal(L, "lab");
  lua_getfield(L, -1, fname);
  lua_remove(L, -2);
  snprintf(buf, sizeof buf, "%s", args);
  for (tok = strtok(buf, " \t"); tok; tok = strtok(NULL, " \t"), n++) {
    char *end;
    long v = strtol(tok, &end, 10);
    if (*end == '\0') lua_pushinteger(L, v);
    else lua_pushstring(L, tok);
  }
  status = lua_pcall(L, n, 0, 0);
  if (status != LUA_OK) {
    /* A command's mistake needs no traceback: just what went wrong. */
    printf("%s\n", luaL_tolstring(L, -1, NULL));
    lua_pop(L, 2);
  }
  return status;
}

/* :clock, :seed, :speed, :sched with one word: set through lab.clock. */
static void tl__cmd_setting(lua_State *L, const char *key, const char *arg) {
  if (*arg) {
    char *end;
    double v = strtod(arg, &end);
    lua_getglobal(L, "lab");
    lua_getfield(L, -1, "clock");
    lua_remove(L, -2);
    lua_createtable(L, 0, 1);
    if (*end == '\0' && end != arg) {
      if (v >= -9.2e18 && v <= 9.2e18 && v == (double)(lua_Integer)v)
        lua_pushinteger(L, (lua_Integer)v); /* (NaN and huge: a number) */
      else lua_pushnumber(L, v);
    } else {
      lua_pushstring(L, arg);
    }
    lua_setfield(L, -2, key);
    if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
      /* A command's mistake needs no traceback: just what went wrong. */
      printf("%s\n", luaL_tolstring(L, -1, NULL));
      lua_pop(L, 2);
      return;
    }
  }
  lua_getglobal(L, "lab");
  lua_getfield(L, -1, "clock");
  lua_call(L, 0, 1);
  lua_getfield(L, -1, key);
  printf("%s = %s\n", key, luaL_tolstring(L, -1, NULL));
  lua_pop(L, 4);
}

/* :record FILE [FROM TO]: the whole trace, or the seconds FROM..TO. */
static void tl__cmd_record(const char *arg) {
  char path[1024] = "", err[512], *end;
  double from = 0, to = 0;
  const char *rest;
  int n = sscanf(arg, "%1023s", path);
  if (n != 1) {
    fputs("usage: :record FILE [FROM TO]   (FILE .svg, .png, .html, .gif, .apng or .json; FROM, TO in seconds)\n",
          stdout);
    return;
  }
  rest = strstr(arg, path) + strlen(path);
  if (rest[strspn(rest, " \t")]) {
    from = strtod(rest, &end);
    if (end != rest) to = strtod(rest = end, &end);
    if (end == rest || end[strspn(end, " \t")] || !(from >= 0) || !(to > from)) {
      puts("usage: :record FILE [FROM TO]: FROM and TO are seconds, FROM >= 0, TO > FROM");
      return;
    }
  }
  if (tl_record_check(path, err, sizeof err) != 0 ||
      tl_record_range(tl_trace_global, path, (uint64_t)(from * 1e9), (uint64_t)(to * 1e9), err,
                      sizeof err) != 0)
    printf("cannot record %s: %s\n", path, err);
  else if (tl_record_note(tl_trace_global, (uint64_t)(from * 1e9), err, sizeof err))
    printf("recorded %s; %s\n", path, err);
  else
    printf("recorded %s\n", path);
}

/* The :commands' actions: 1 when the REPL should end. cmd is the name typed
 * (an alias, perhaps), arg the rest of the line. */
static int tl__do_quit(tl_options *opt, const char *cmd, const char *arg) { return 1; }

static int tl__do_help(tl_options *opt, const char *cmd, const char *arg) {
  const char *m;
  int i;
  fputs("threadlab REPL. Type Lua; an expression prints its value.\n", stdout);
  tl_repl_help(stdout);
  for (i = 0; (m = tl_module_global(i)); i++) printf("%s%s", i ? ", " : "Modules: ", m);
  fputs(". Ctrl-C interrupts MainThread.\n", stdout);
  return 0;
}

static int tl__do_threads(tl_options *opt, const char *cmd, const char *arg) {
  tl__cmd_threads(tl_W->L);
  return 0;
}

static int tl__do_locks(tl_options *opt, const char *cmd, const char *arg) {
  tl__cmd_locks(tl_W->L);
  return 0;
}

static int tl__do_record(tl_options *opt, const char *cmd, const char *arg) {
  tl__cmd_record(arg);
  return 0;
}

static int tl__do_screenshot(tl_options *opt, const char *cmd, const char *arg) {
  char err[600];
  if (!arg[0]) fputs("usage: :screenshot FILE.png\n", stdout);
  else if (tl_window_screenshot(tl_trace_global, arg, err, sizeof err) != 0)
    printf("cannot save the screenshot: %s\n", err);
  else
    printf("saved %s\n", arg);
  return 0;
}

static int tl__do_setting(tl_options *opt, const char *cmd, const char *arg) {
  tl__cmd_setting(tl_W->L, cmd, arg);
  return 0;
}

static int tl__do_pause(tl_options *opt, const char *cmd, const char *arg) {
  if (tl__call_lab(tl_W->L, cmd, "") == 0)
    puts(cmd[0] == 'p' ? "paused: virtual time stands still (:resume)" : "resumed");
  return 0;
}

/* :run T2 [n] runs T2 n statements; :step [n], the scheduler's pick. */
static int tl__do_run(tl_options *opt, const char *cmd, const char *arg) {
  if (tl_challenge_command(opt, cmd, arg)) return 0; /* a move of the challenge */
  if (tl__call_lab(tl_W->L, cmd, arg) == 0) tl__cmd_threads(tl_W->L);
  return 0;
}

/* :explore FN [runs]: lab.explore(FN, {runs=}) printed as a table. */
static int tl__do_explore(tl_options *opt, const char *cmd, const char *arg) {
  char code[1200], fn[1024] = "";
  int runs = 20;
  sscanf(arg, "%1023s %d", fn, &runs);
  snprintf(code, sizeof code, "lab.print_outcomes(lab.explore(%s, {runs = %d}))", fn, runs);
  if (!fn[0]) {
    puts("usage: :explore FUNCTION [runs]");
  } else if (luaL_loadstring(tl_W->L, code) != LUA_OK || lua_pcall(tl_W->L, 0, 0, 0) != LUA_OK) {
    printf(":explore: %s\n", luaL_tolstring(tl_W->L, -1, NULL));
    lua_pop(tl_W->L, 2);
  }
  return 0;
}

static int tl__do_reset(tl_options *opt, const char *cmd, const char *arg) {
  if (tl_app_reset(opt) != 0) return 1;
  fputs("reset: every thread cancelled; a fresh world\n", stdout);
  return 0;
}

/* :undo, :hint, :solve: a challenge's */
static int tl__do_challenge(tl_options *opt, const char *cmd, const char *arg) {
  tl_challenge_command(opt, cmd, arg);
  return 0;
}

/* :lessons, :lesson N */
static int tl__do_lesson(tl_options *opt, const char *cmd, const char *arg) {
  tl_player_command(opt, cmd, arg);
  return 0;
}

/* The one list of :commands: the dispatcher, :help and Tab completion all
 * read it. name, aliases (space-separated), arguments and help for :help
 * (help NULL: hidden, still accepted), action. */
const tl_command tl_command_table[] = {
    {"help", "h", NULL, "this text", NULL, tl__do_help},
    {"threads", NULL, NULL, "every live thread of every process and what it is doing", NULL, tl__do_threads},
    {"locks", NULL, NULL, "every lock (mp locks of every process too): holder, waiters; deadlocks found", NULL, tl__do_locks},
    {"record", NULL, "FILE [FROM TO]",
     "write the trace so far (or the seconds FROM..TO)\n"
     "as .svg, .png, .html (a page to explore offline),\n"
     ".gif or .apng (animated), or .json (for Perfetto)", NULL,
     tl__do_record},
    {"screenshot", NULL, "FILE", "save the timeline window as drawn (.png)", NULL, tl__do_screenshot},
    {"clock", NULL, "[real|virtual]", "show or set the clock (virtual: seeded, repeatable)", NULL,
     tl__do_setting},
    {"seed", NULL, "[N]", "show or set the virtual scheduler's seed", NULL, tl__do_setting},
    {"speed", NULL, "[X]", "show or set virtual seconds per wall second", NULL, tl__do_setting},
    {"sched", NULL, "[auto|manual]", "show or set who picks the next thread", NULL, tl__do_setting},
    {"pause", NULL, NULL, "freeze virtual time", NULL, tl__do_pause},
    {"resume", NULL, NULL, "thaw virtual time", NULL, tl__do_pause},
    {"run", NULL, "T2 [n]",
     "manual scheduling: T2 runs n statements (default 1);\n"
     "in the window, keys 1-9 run T1-T9 one statement", NULL,
     tl__do_run},
    {"step", NULL, "[n]", "the scheduler's own pick runs n statements", NULL, tl__do_run},
    {"undo", NULL, NULL, "a challenge: take the last move back (replayed afresh)", NULL,
     tl__do_challenge},
    {"hint", NULL, NULL, "a challenge: its hint", NULL, tl__do_challenge},
    {"solve", NULL, NULL, "a challenge: search for a winning schedule and play it", NULL,
     tl__do_challenge},
    {"explore", NULL, "FN [N]", "lab.explore(FN, {runs=N}): every distinct outcome", NULL,
     tl__do_explore},
    {"reset", NULL, NULL, "cancel every thread, start a fresh world", NULL, tl__do_reset},
    {"lessons", NULL, NULL, "list the lessons", NULL, tl__do_lesson},
    {"lesson", NULL, "N", "play lesson N", NULL, tl__do_lesson},
    {"quit", "q exit", NULL, "leave (also Ctrl-D)", NULL, tl__do_quit},
    {NULL, NULL, NULL, NULL, NULL, NULL}};

/* Whether word is one of the space-separated words of list. */
static int tl__among(const char *list, const char *word) {
  size_t n = strlen(word);
  while (list && *list) {
    size_t len = strcspn(list, " ");
    if (len == n && strncmp(list, word, n) == 0) return 1;
    list += len + (list[len] == ' ');
  }
  return 0;
}

const tl_command *tl_command_find(const tl_command *table, const char *name) {
  const tl_command *c;
  for (c = table; c->name; c++)
    if (strcmp(c->name, name) == 0 || tl__among(c->aliases, name)) return c;
  return NULL;
}

void tl_command_help(FILE *out, const tl_command *table, int col, int zh) {
  const tl_command *c;
  for (c = table; c->name; c++) {
    char left[80];
    if (!c->help) continue;
    snprintf(left, sizeof left, "  :%s%s%s", c->name, c->args ? " " : "", c->args ? c->args : "");
    tl_help_entry(out, left, zh && c->help_zh ? c->help_zh : c->help, col, 0);
  }
}

const tl_command *tl_repl_find_command(const char *name) {
  return tl_command_find(tl_command_table, name);
}

void tl_repl_help(FILE *out) { tl_command_help(out, tl_command_table, 20, 0); }

/* Returns 1 when the REPL should end. */
static int tl__command(tl_options *opt, const char *line) {
  char cmd[32] = "", arg[1024] = "";
  const tl_command *c;
  int quit = 0;
  sscanf(line, ":%31s %1023[^\n]", cmd, arg);
  if ((c = tl_repl_find_command(cmd))) quit = c->run(opt, cmd, arg);
  else printf("unknown command ':%s' (type :help)\n", cmd);
  fflush(stdout);
  return quit;
}

int tl_repl_command(tl_options *opt, const char *line) { return tl__command(opt, line); }

void tl_repl_hold_world(int yes) { tl__hold_world = yes; }
int tl_repl_holding_world(void) { return tl__hold_world; }

char *tl_repl_read_line(const char *prompt, int *interrupted) {
  return tl__read_line(prompt, interrupted);
}

int tl_repl_eval(lua_State *L, char *line) {
  int interrupted = 0, status, base;
  if (line[strspn(line, " \t")] == '\0') {
    free(line);
    return 0;
  }
  base = lua_gettop(L);
  status = tl__load(L, line, &interrupted);
  free(line);
  if (status == -1) return -1;
  if (status == -2) return 0;
  if (status == LUA_OK) status = tl_app_docall(L, 0, LUA_MULTRET);
  if (status == LUA_OK)
    tl__print_results(L, base);
  else
    tl_app_report(L);
  lua_settop(L, base);
  return 0;
}

void tl_repl_run(tl_options *opt) {
  const char *home = getenv("HOME");
  tl_complete_install(); /* before libedit's first use (read_history) */
  if (home) {
    snprintf(tl__history, sizeof tl__history, "%s/.threadlab_history", home);
    read_history(tl__history);
  }
  printf("threadlab %s -- Lua threads under a GIL. Type :help.\n", TL_VERSION);
  fflush(stdout);
  for (;;) {
    int interrupted;
    lua_State *L = tl_W->L;
    char *line = tl__read_line(TL__PROMPT, &interrupted);
    if (!line) {
      fputs("\n", stdout);
      break;
    }
    if (line[0] == ':') {
      int quit;
      add_history(line);
      quit = tl__command(opt, line);
      free(line);
      tl_app_sync_window(); /* :clock, :speed ... */
      if (quit) break;
      continue;
    }
    if (tl_repl_eval(L, line) < 0) break;
    tl_app_sync_window(); /* lab.clock{...} may have changed the clock */
  }
  if (tl__history[0]) write_history(tl__history);
}
