/* The lesson player's mechanism. What a lesson prints and checks is policy,
 * in sim/lua/lesson.lua; here are the parts that need C:
 *  - the step prompt: the REPL's own line reader and evaluator, but read
 *    while MainThread keeps the world (the GIL, the virtual scheduler's
 *    baton), so every thread of the lesson stands still while the teacher
 *    talks, and waiting at a prompt changes nothing in the run;
 *  - :back: a fresh world with the same seed runs the lesson again with
 *    stdout muted and unpaced up to the step before, so it arrives exactly
 *    where the first run was;
 *  - :lessons and :lesson N, from a step prompt or from the REPL. */
#include <fcntl.h>
#include <lauxlib.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"

static struct {
  tl_options *opt;
  char path[PATH_MAX];  /* the lesson playing, "" when none */
  char lang[8];         /* chosen with :lang; "" follows the locale */
  int auto_play;        /* --auto or :auto: no more pauses */
  int muted_fd;         /* stdout, saved while a replay runs silently */
  int replaying;
  double speed;         /* the pace a silent replay gives back */
  int color;            /* stdout is a terminal that takes colours */
} tl__P = { .muted_fd = -1 };

/* ---- files ---------------------------------------------------------- */

/* Where the lessons are: beside the lesson playing, in ./lessons, or in
 * the repository the binary was built in (./threadlab or build/X/threadlab). */
static const char *tl__lessons_dir(char *buf, size_t size) {
  static const char *const ups[] = { "/lessons", "/../../lessons" };
  char exe[PATH_MAX - 32]; /* room for "/../../lessons" */
  ssize_t len;
  if (tl__P.path[0]) {
    const char *slash = strrchr(tl__P.path, '/');
    if (!slash) return snprintf(buf, size, "."), buf;
    snprintf(buf, size, "%.*s", (int)(slash - tl__P.path), tl__P.path);
    return buf;
  }
  if (access("lessons", R_OK) == 0) return snprintf(buf, size, "lessons"), buf;
  len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (len > 0) {
    char *slash;
    exe[len] = '\0';
    if ((slash = strrchr(exe, '/'))) *slash = '\0';
    for (size_t i = 0; i < sizeof ups / sizeof *ups; i++) {
      snprintf(buf, size, "%s%s", exe, ups[i]);
      if (access(buf, R_OK) == 0) return buf;
    }
  }
  return snprintf(buf, size, "lessons"), buf;
}

/* ---- calling the Lua half ------------------------------------------- */

/* Pushes lesson[name]; the caller pushes the arguments and calls. */
static void tl__lesson_fn(lua_State *L, const char *name) {
  lua_getglobal(L, "lesson");
  lua_getfield(L, -1, name);
  lua_remove(L, -2);
}

static void tl__push_lang(lua_State *L) {
  if (tl__P.lang[0]) lua_pushstring(L, tl__P.lang);
  else lua_pushnil(L);
}

void tl_player_print_catalog(void) {
  char dir[PATH_MAX];
  lua_State *L = tl_W->L;
  tl__lesson_fn(L, "print_catalog");
  lua_pushstring(L, tl__lessons_dir(dir, sizeof dir));
  tl__push_lang(L);
  if (tl_app_docall(L, 2, 0) != LUA_OK) tl_app_report(L);
  /* the challenges, under their own heading */
  lua_getglobal(L, "challenge");
  lua_getfield(L, -1, "print_catalog");
  lua_remove(L, -2);
  lua_pushfstring(L, "%s/challenges", tl__lessons_dir(dir, sizeof dir));
  if (tl_app_docall(L, 1, 0) != LUA_OK) tl_app_report(L);
  fflush(stdout);
}

/* The file of lesson `key` into out; 0 when there is none. */
static int tl__find(lua_State *L, const char *key, char *out, size_t size) {
  char dir[PATH_MAX];
  int found = 0;
  tl__lesson_fn(L, "find");
  lua_pushstring(L, tl__lessons_dir(dir, sizeof dir));
  lua_pushstring(L, key);
  if (tl_app_docall(L, 2, 1) != LUA_OK) {
    tl_app_report(L);
    return 0;
  }
  if (lua_isstring(L, -1)) {
    snprintf(out, size, "%s", lua_tostring(L, -1));
    found = 1;
  }
  lua_pop(L, 1);
  return found;
}

/* ---- output and pace during a silent replay ------------------------- */

static void tl__mute(int on) {
  fflush(stdout);
  if (on && tl__P.muted_fd < 0) {
    int nul = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (nul < 0) return;
    tl__P.muted_fd = fcntl(1, F_DUPFD_CLOEXEC, 3);
    dup2(nul, 1);
    close(nul);
  } else if (!on && tl__P.muted_fd >= 0) {
    dup2(tl__P.muted_fd, 1);
    close(tl__P.muted_fd);
    tl__P.muted_fd = -1;
  }
}

static void tl__end_replay(void) {
  tl__mute(0);
  if (tl__P.replaying) {
    tl__P.replaying = 0;
    if (TL_VIRTUAL()) tl_v_set_speed(tl__P.speed);
  }
}

/* unmute(): the silent replay has reached its step. */
static int f_unmute(lua_State *L) {
  tl__end_replay();
  (void)L;
  return 0;
}

/* pace(speed): the lesson's own pace (lesson{speed=...}), on the virtual
 * clock, unless --speed was given. A silent replay stays unpaced and gives
 * this pace back when it arrives. */
static int f_pace(lua_State *L) {
  double speed = luaL_checknumber(L, 1);
  if (!(speed >= 0) || speed > 1e9) return luaL_argerror(L, 1, "a speed >= 0");
  if (tl__P.opt && tl__P.opt->speed_given) return 0;
  if (tl__P.replaying) tl__P.speed = speed;
  else if (TL_VIRTUAL()) tl_v_set_speed(speed);
  return 0;
}

/* ---- the step prompt ------------------------------------------------ */

/* Raises the error that unwinds the lesson back to tl_player_run. */
static int tl__control(lua_State *L, const char *action, lua_Integer step, const char *path) {
  tl_repl_hold_world(0);
  lua_createtable(L, 0, 4);
  lua_pushliteral(L, "LessonControl");
  lua_setfield(L, -2, "type");
  lua_pushstring(L, action);
  lua_setfield(L, -2, "action");
  lua_pushinteger(L, step);
  lua_setfield(L, -2, "step");
  if (path) {
    lua_pushstring(L, path);
    lua_setfield(L, -2, "path");
  }
  return lua_error(L);
}

static int tl__zh(lua_State *L) {
  int zh;
  tl__lesson_fn(L, "_lang");
  lua_call(L, 0, 1);
  zh = lua_isstring(L, -1) && strcmp(lua_tostring(L, -1), "zh") == 0;
  lua_pop(L, 1);
  return zh;
}

/* What a step prompt's command answers the pause. */
enum { TL__STEP_AGAIN = 0, TL__STEP_NEXT = 1, TL__STEP_AUTO = 2 };

/* The step prompt being answered: its lesson's state and how far :back
 * goes (set by tl__step_command for the commands' actions). */
static struct {
  lua_State *L;
  lua_Integer back_to;
} tl__step;

static int tl__do_next(tl_options *o, const char *cmd, const char *arg) { return TL__STEP_NEXT; }

static int tl__do_auto(tl_options *o, const char *cmd, const char *arg) {
  tl__P.auto_play = 1;
  return TL__STEP_AUTO;
}

static int tl__do_back(tl_options *o, const char *cmd, const char *arg) {
  return tl__control(tl__step.L, "back", tl__step.back_to, NULL);
}

static int tl__do_restart(tl_options *o, const char *cmd, const char *arg) {
  return tl__control(tl__step.L, "back", 0, NULL);
}

static int tl__do_leave(tl_options *o, const char *cmd, const char *arg) {
  return tl__control(tl__step.L, "quit", 0, NULL);
}

static int tl__do_lang(tl_options *o, const char *cmd, const char *arg) {
  lua_State *L = tl__step.L;
  if (strcmp(arg, "zh") && strcmp(arg, "en")) {
    puts("usage: :lang zh  or  :lang en");
    return TL__STEP_AGAIN;
  }
  snprintf(tl__P.lang, sizeof tl__P.lang, "%s", strcmp(arg, "zh") ? "en" : "zh");
  tl__lesson_fn(L, "_relang");
  lua_pushstring(L, arg);
  if (tl_app_docall(L, 1, 0) != LUA_OK) tl_app_report(L);
  return TL__STEP_AGAIN;
}

static int tl__do_lessons(tl_options *o, const char *cmd, const char *arg) {
  tl_player_print_catalog();
  return TL__STEP_AGAIN;
}

static int tl__do_goto(tl_options *o, const char *cmd, const char *arg) {
  char path[PATH_MAX];
  if (!arg[0]) puts("usage: :lesson N  (:lessons lists them)");
  else if (!tl__find(tl__step.L, arg, path, sizeof path))
    printf("no lesson '%s' (:lessons lists them)\n", arg);
  else tl__control(tl__step.L, "goto", 0, path);
  return TL__STEP_AGAIN;
}

static int tl__do_step_help(tl_options *o, const char *cmd, const char *arg) {
  int zh = tl__zh(tl__step.L);
  tl_command_help(stdout, tl_step_command_table, 18, zh);
  fputs(zh ? "  Lua 代码        现在就运行（所有线程都停着，等你）\n"
             "  其他 REPL 命令照常可用：:threads  :record FILE  :speed X ...\n"
           : "  Lua             runs now (every thread of the lesson waits for you)\n"
             "  The REPL's commands work too: :threads  :record FILE  :speed X ...\n",
        stdout);
  return TL__STEP_AGAIN;
}

/* A step prompt's :commands, before the REPL's (which work there too):
 * name, aliases, arguments, help in English and Chinese, action. */
const tl_command tl_step_command_table[] = {
    {"next", "n", NULL, "run this step (as Enter does)", "运行这一步（同回车）", tl__do_next},
    {"back", "b", NULL, "one step back (the same seed replays the same run)",
     "回到上一步（同一个种子从头重放，结果一样）", tl__do_back},
    {"auto", NULL, NULL, "play on without pausing", "不再停顿，自动播放到底", tl__do_auto},
    {"lang", NULL, "zh|en", "the narration's language", "换语言", tl__do_lang},
    {"lessons", NULL, NULL, "every lesson", "列出所有课", tl__do_lessons},
    {"lesson", NULL, "N", "plays lesson N", "播放第 N 课", tl__do_goto},
    {"restart", "reset", NULL, "from the beginning", "从头再来", tl__do_restart},
    {"quit", "q exit", NULL, "leaves the lesson", "退出本课", tl__do_leave},
    {"help", "h", NULL, "this text", "这段说明", tl__do_step_help},
    {NULL, NULL, NULL, NULL, NULL, NULL}};

/* A :command at a step prompt. Returns the pause's answer ("next",
 * "auto"), NULL to prompt again, or raises to leave the step. */
static const char *tl__step_command(lua_State *L, const char *line, lua_Integer back_to) {
  char cmd[32] = "", arg[PATH_MAX] = "";
  const tl_command *c;
  int answer = TL__STEP_AGAIN;
  sscanf(line, ":%31s %4095[^\n]", cmd, arg);
  tl__step.L = L;
  tl__step.back_to = back_to;
  if ((c = tl_command_find(tl_step_command_table, cmd))) answer = c->run(tl__P.opt, cmd, arg);
  else tl_repl_command(tl__P.opt, line);
  fflush(stdout);
  return answer == TL__STEP_NEXT ? "next" : answer == TL__STEP_AUTO ? "auto" : NULL;
}

/* pause(prompt, back_to) -> "next" | "auto": the step prompt. Lua typed
 * here runs at once; :back raises to replay up to step back_to. */
static int f_pause(lua_State *L) {
  const char *prompt = luaL_checkstring(L, 1);
  lua_Integer back_to = luaL_optinteger(L, 2, 0);
  const char *answer = NULL;
  char prompt_copy[64];
  snprintf(prompt_copy, sizeof prompt_copy, "%s", prompt);
  fflush(stdout);
  /* Held for continuation lines too; tl__control lets go before raising. */
  tl_repl_hold_world(1);
  while (!answer) {
    int interrupted;
    char *line, *s;
    line = tl_repl_read_line(prompt_copy, &interrupted);
    if (!line) {
      fputs("\n", stdout);
      tl__control(L, "quit", 0, NULL);
    }
    s = line + strspn(line, " \t");
    if (interrupted) {
      free(line);
    } else if (*s == '\0') {
      free(line);
      answer = "next";
    } else if (*s == ':') {
      char copy[PATH_MAX + 64];
      snprintf(copy, sizeof copy, "%s", s);
      free(line);
      answer = tl__step_command(L, copy, back_to);
    } else {
      tl_repl_eval(L, line); /* frees line */
    }
  }
  tl_repl_hold_world(0);
  /* The pause stopped virtual time; pacing starts again from now. */
  if (TL_VIRTUAL()) tl_v_set_speed(tl_W->cfg.speed);
  lua_pushstring(L, answer);
  return 1;
}

static int luaopen_tl_player(lua_State *L) {
  static const luaL_Reg lib[] = {
    { "pause",  f_pause  },
    { "pace",   f_pace   },
    { "unmute", f_unmute },
    { NULL,     NULL     }
  };
  luaL_newlib(L, lib);
  return 1;
}

/* ---- playing -------------------------------------------------------- */

static void tl__begin(lua_State *L, int interactive, lua_Integer skip_to, int hinted) {
  tl__lesson_fn(L, "_begin");
  lua_createtable(L, 0, 8);
  lua_pushstring(L, tl__P.path);
  lua_setfield(L, -2, "path");
  tl__push_lang(L);
  lua_setfield(L, -2, "lang");
  lua_pushboolean(L, tl__P.auto_play);
  lua_setfield(L, -2, "auto");
  lua_pushboolean(L, interactive);
  lua_setfield(L, -2, "interactive");
  if (skip_to > 0) {
    lua_pushinteger(L, skip_to);
    lua_setfield(L, -2, "skip_to");
  }
  lua_pushboolean(L, tl__P.color);
  lua_setfield(L, -2, "color");
  lua_pushboolean(L, hinted);
  lua_setfield(L, -2, "hinted");
  luaopen_tl_player(L);
  lua_setfield(L, -2, "player");
  if (tl_app_docall(L, 1, 0) != LUA_OK) tl_app_report(L);
}

/* The LessonControl on top of the stack, if it is one: its action (and
 * step, or for "skip" how many checks had failed, and path); 0 for any
 * other error. */
static int tl__is_control(lua_State *L, char *action, size_t asize, lua_Integer *step,
                          char *path, size_t psize) {
  int yes = 0;
  if (!lua_istable(L, -1)) return 0;
  if (lua_getfield(L, -1, "type") == LUA_TSTRING && !strcmp(lua_tostring(L, -1), "LessonControl")) {
    yes = 1;
    lua_getfield(L, -2, "action");
    snprintf(action, asize, "%s", lua_isstring(L, -1) ? lua_tostring(L, -1) : "");
    lua_getfield(L, -3, strcmp(action, "skip") == 0 ? "failed" : "step");
    *step = lua_tointeger(L, -1);
    lua_getfield(L, -4, "path");
    if (lua_isstring(L, -1)) snprintf(path, psize, "%s", lua_tostring(L, -1));
    lua_pop(L, 3);
  }
  lua_pop(L, 1);
  return yes;
}

int tl_player_run(tl_options *o, const char *first, int fresh_world, const char *src,
                  size_t srclen) {
  char *owned = NULL, err[600];
  int rc = 0, saved_clock = o->cfg.clock, interactive = isatty(0) && isatty(1);
  lua_Integer skip_to = 0;
  const char *term = getenv("TERM");
  int round;
  tl__P.opt = o;
  tl__P.color = isatty(1) && !getenv("NO_COLOR") && !(term && !strcmp(term, "dumb"));
  tl__P.auto_play = o->auto_play || !interactive;
  snprintf(tl__P.path, sizeof tl__P.path, "%s", first);
  if (!o->clock_given) o->cfg.clock = TL_CLOCK_VIRTUAL; /* lessons play the same every time */
  if (interactive) tl_complete_install();
  for (round = 0;; round++) {
    lua_State *L;
    int status;
    char action[16] = "", path[PATH_MAX] = "";
    lua_Integer step = 0;
    if (fresh_world && tl_app_reset(o) != 0) {
      rc = 1;
      break;
    }
    fresh_world = 1; /* every later round starts from a fresh world */
    L = tl_W->L;
    if (skip_to > 0) {
      tl__P.replaying = 1;
      tl__P.speed = tl_W->cfg.speed;
      if (TL_VIRTUAL()) tl_v_set_speed(0);
      tl__mute(1);
    }
    tl__begin(L, interactive, skip_to, round > 0);
    /* Read once (a lesson from a pipe cannot be read again); :back plays
     * the same text again. */
    if (!src && !(src = owned = tl_source_read(tl__P.path, &srclen, err, sizeof err))) {
      tl__end_replay();
      fprintf(stderr, "threadlab: %s\n", err);
      rc = 1;
      break;
    }
    /* the lesson is the main code a spawned child runs again */
    if (strcmp(tl__P.path, "-") == 0) tl_spawn_set_main(NULL, "stdin");
    else tl_spawn_set_main(tl__P.path, NULL);
    lua_pushfstring(L, "@%s", strcmp(tl__P.path, "-") == 0 ? "stdin" : tl__P.path);
    status = tl_source_load(L, src, srclen, lua_tostring(L, -1));
    lua_remove(L, -2);
    if (status != LUA_OK) {
      tl__end_replay();
      fprintf(stderr, "threadlab: %s\n", lua_tostring(L, -1));
      lua_pop(L, 1);
      rc = 1;
      break;
    }
    status = tl_app_docall(L, 0, 0);
    if (status == LUA_OK) {
      /* The end: the checks' verdict, and a last pause. */
      tl__lesson_fn(L, "_finish");
      status = tl_app_docall(L, 0, 1);
      if (status == LUA_OK) {
        rc = lua_tointeger(L, -1) > 0 ? 1 : 0;
        lua_pop(L, 1);
        break;
      }
    }
    tl__end_replay();
    if (tl__is_control(L, action, sizeof action, &step, path, sizeof path)) {
      lua_pop(L, 1);
      if (!strcmp(action, "back")) {
        skip_to = step;
        if (skip_to <= 0) fputs("\n", stdout);
        continue;
      }
      if (!strcmp(action, "goto")) {
        snprintf(tl__P.path, sizeof tl__P.path, "%s", path);
        free(owned);
        src = owned = NULL;
        skip_to = 0;
        fputs("\n", stdout);
        continue;
      }
      /* quit; or skip: this build cannot play the lesson (or its rest):
       * skipped (77, as test runners count it) unless a check had failed */
      rc = strcmp(action, "skip") ? 0 : step > 0 ? 1 : TL_EXIT_SKIPPED;
      break;
    }
    rc = tl_is_interrupt(L, -1) ? 130 : 1;
    tl_app_report(L);
    break;
  }
  tl__end_replay();
  fflush(stdout);
  free(owned);
  tl__P.path[0] = '\0';
  tl_app_set_main(o);
  o->cfg.clock = saved_clock; /* a later :reset in the REPL is the REPL's again */
  return rc;
}

int tl_player_command(tl_options *o, const char *cmd, const char *arg) {
  char path[PATH_MAX];
  if (!strcmp(cmd, "lessons")) {
    tl_player_print_catalog();
    return 1;
  }
  if (strcmp(cmd, "lesson") != 0) return 0;
  if (!arg[0]) {
    puts("usage: :lesson N  (:lessons lists them)");
  } else if (!tl__find(tl_W->L, arg, path, sizeof path)) {
    printf("no lesson '%s' (:lessons lists them)\n", arg);
  } else {
    int rc = tl_player_run(o, path, 1, NULL, 0);
    printf("back in the REPL%s; the lesson's world is still here (:reset for a fresh one)\n",
           rc == TL_EXIT_SKIPPED ? " (the lesson was skipped)"
           : rc                  ? " (the lesson did not pass)"
                                 : "");
  }
  fflush(stdout);
  return 1;
}
