/* REPL line handling: the first line of the input is completed as Tab
 * would (as the line's first word and as a later one); each further line
 * is a :command, run when it is one that touches nothing outside the
 * session (no :reset, :lesson, :explore; :record only into a scratch
 * folder). */
#include "fuzz.h"

#include <dirent.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"

static const char *const tl__safe[] = { "help", "h", "threads", "locks", "seed", "speed",
                                        "clock", "sched", "pause", "resume", "step", "run",
                                        "record", "quit", "q", "exit", "frobnicate", NULL };

static int tl__is_safe(const char *line) {
  char cmd[32] = "";
  int i;
  if (line[0] != ':') return 0;
  sscanf(line, ":%31s", cmd);
  if (strcmp(cmd, "record") == 0 && strchr(line, '/')) return 0;
  for (i = 0; tl__safe[i]; i++)
    if (strcmp(cmd, tl__safe[i]) == 0) return 1;
  return !tl_repl_find_command(cmd); /* unknown: says so */
}

/* Removes what a :record left in the scratch folder. */
static void tl__empty(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  char path[4200];
  if (!d) return;
  while ((e = readdir(d)))
    if (e->d_name[0] != '.' || (e->d_name[1] && strcmp(e->d_name, "..") != 0)) {
      snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
      unlink(path);
    }
  closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static tl_options opt;
  static char dir[] = "/tmp/threadlab-fuzz-repl-XXXXXX";
  static int made;
  lua_State *L = tl_fuzz_world();
  char *text, *line, *next, cmd[2200];
  int first, state;
  if (!L) return 0;
  if (!made && !mkdtemp(dir)) return 0;
  made = 1;
  if (!(text = malloc(size + 1))) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  tl_repl_hold_world(1); /* completion: the GIL is held here already */
  next = strchr(text, '\n');
  if (next) *next++ = '\0';
  for (first = 0; first < 2; first++)
    for (state = 0; state < 300; state++) {
      char *m = tl_complete_word(text, first, state);
      if (!m) break;
      free(m);
    }
  for (line = next; line && *line; line = next) {
    next = strchr(line, '\n');
    if (next) *next++ = '\0';
    if (!tl__is_safe(line)) continue;
    if (strncmp(line, ":record ", 8) == 0 && strlen(line) < 2000) {
      /* into the scratch folder (and no file is left there) */
      snprintf(cmd, sizeof cmd, ":record %s/%s", dir, line + 8 + strspn(line + 8, " \t"));
      tl_repl_command(&opt, cmd);
    } else {
      tl_repl_command(&opt, line);
    }
  }
  /* Back to the state the next input expects. */
  tl_repl_command(&opt, ":sched auto");
  tl_repl_command(&opt, ":clock real");
  lua_settop(L, 0);
  free(text);
  tl__empty(dir);
  return 0;
}
