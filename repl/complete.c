/* Tab completion of globals and fields ("threading.Lo" -> "threading.Lock")
 * and of :commands (from the command table). libedit asks on the reader
 * thread (input.c) while MainThread waits for the line without the GIL;
 * MainThread does the work, taking the GIL for the moment it reads Lua
 * tables. */
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include <editline/readline.h>

#include "app.h"

#define TL__MAX_MATCHES 256

static char *tl__matches[TL__MAX_MATCHES];
static int tl__nmatches, tl__next;

static void tl__add(const char *prefix, size_t plen, const char *key) {
  char *m;
  int i;
  if (tl__nmatches == TL__MAX_MATCHES) return;
  for (i = 0; i < tl__nmatches; i++)
    if (strcmp(tl__matches[i] + plen, key) == 0) return;
  m = malloc(plen + strlen(key) + 1);
  if (!m) return;
  memcpy(m, prefix, plen);
  strcpy(m + plen, key);
  tl__matches[tl__nmatches++] = m;
}

/* Adds the string keys of the table on top (and of its __index tables)
 * that start with word. */
static void tl__add_keys(lua_State *L, const char *prefix, size_t plen, const char *word) {
  size_t wlen = strlen(word);
  int depth;
  for (depth = 0; depth < 4 && lua_istable(L, -1); depth++) {
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      if (lua_type(L, -2) == LUA_TSTRING) {
        const char *k = lua_tostring(L, -2);
        /* Private names (_core) only when asked for with a leading _. */
        if (strncmp(k, word, wlen) == 0 && (k[0] != '_' || word[0] == '_'))
          tl__add(prefix, plen, k);
      }
      lua_pop(L, 1);
    }
    if (!lua_getmetatable(L, -1)) break;
    lua_getfield(L, -1, "__index");
    lua_remove(L, -2);
    lua_remove(L, -2);
  }
  lua_pop(L, 1);
}

static void tl__collect(const char *text) {
  tl_thread *self = tl__self;
  lua_State *L = tl_W->L;
  const char *last = NULL, *p;
  int top;
  for (p = text; *p; p++)
    if (*p == '.' || *p == ':') last = p;
  if (!tl_repl_holding_world()) tl_enter_world(self); /* a step prompt holds it */
  top = lua_gettop(L);
  lua_pushglobaltable(L);
  if (last) {
    /* Walk the path before the last separator, one name at a time. */
    const char *start = text;
    for (p = text; p <= last; p++) {
      if (*p == '.' || *p == ':') {
        if (!lua_istable(L, -1) && !lua_isuserdata(L, -1)) break;
        lua_pushlstring(L, start, (size_t)(p - start));
        lua_gettable(L, -2);
        lua_remove(L, -2);
        start = p + 1;
      }
    }
    if (lua_isuserdata(L, -1) && lua_getmetatable(L, -1)) {
      /* Methods of a userdata (a Lock) live in its metatable. */
      lua_getfield(L, -1, "methods");
      lua_remove(L, -2);
      lua_remove(L, -2);
    }
    tl__add_keys(L, text, (size_t)(last - text + 1), last + 1);
  } else {
    tl__add_keys(L, "", 0, text);
  }
  lua_settop(L, top);
  if (!tl_repl_holding_world()) tl_leave_world(self);
}

static void tl__collect_on_main(void *text) { tl__collect(text); }

/* ":th" as the first word of a line: the visible :commands (at a lesson's
 * step prompt, its own first). */
static void tl__collect_commands(const char *text) {
  const tl_command *tables[] = {tl_step_command_table, tl_command_table}, *c;
  size_t n = strlen(text + 1), i;
  for (i = tl_repl_holding_world() ? 0 : 1; i < 2; i++)
    for (c = tables[i]; c->name; c++)
      if (c->help && strncmp(c->name, text + 1, n) == 0) tl__add(":", 1, c->name);
}

static int tl__first_word; /* the word being completed begins the line */

static char *tl__generate(const char *text, int state) {
  if (state == 0) {
    while (tl__nmatches) free(tl__matches[--tl__nmatches]);
    tl__next = 0;
    if (tl__first_word && text[0] == ':') tl__collect_commands(text);
    /* libedit calls this on the reader thread; Lua is MainThread's. */
    else if (tl_input_on_reader()) tl_input_call_main(tl__collect_on_main, (void *)text);
    else tl__collect(text);
  }
  /* readline frees what it is given. */
  return tl__next < tl__nmatches ? strdup(tl__matches[tl__next++]) : NULL;
}

char *tl_complete_word(const char *text, int first_word, int state) {
  tl__first_word = first_word;
  return tl__generate(text, state);
}

static char **tl__complete(const char *text, int start, int end) {
  (void)end;
  tl__first_word = (size_t)start == strspn(rl_line_buffer, " \t");
  rl_attempted_completion_over = 1;
  return rl_completion_matches(text, tl__generate);
}

void tl_complete_install(void) {
  tl_input_prepare();
  rl_attempted_completion_function = tl__complete;
  rl_completer_word_break_characters = " \t\n\"'<>=;+-*/%^~#{}()[],";
}
