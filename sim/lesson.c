/* The lesson module's C half. The Lua half (lua/lesson.lua) decides what a
 * lesson prints and checks; it needs from C what the trace holds (the lines
 * printed, the deadlocks found), a way to put the lesson itself into the
 * trace (title, narration, steps, code, check results — the views read only
 * the trace, so the window's narration panel reads them there), and the
 * list of lesson files in a folder. */
#include "engine.h"

#include <dirent.h>
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

static const char *const tl__parts[] = {
#define TL__PART_TEXT(name, text) text,
  TL_LESSON_PARTS(TL__PART_TEXT)
#undef TL__PART_TEXT
  NULL
};

/* The {en=, zh=} table the calling lesson function got (step's title,
 * say's text, the header's title): the first of its first locals that is
 * one, or has one as its title. Read from the caller's frame, not passed
 * in, because each Lua instruction costs virtual time and a recording's
 * texts must not change the run (nor do their events cost any). Leaves it on the stack, or returns 0. */
static int tl__caller_texts(lua_State *L) {
  lua_Debug ar;
  int i, k;
  if (!lua_getstack(L, 1, &ar)) return 0;
  for (i = 1; i <= 4 && lua_getlocal(L, &ar, i); i++) {
    for (k = 0; k < 2 && lua_type(L, -1) == LUA_TTABLE; k++) {
      if (lua_getfield(L, -1, "en") == LUA_TSTRING) {
        lua_pop(L, 1);
        return 1;
      }
      lua_pop(L, 1);
      lua_getfield(L, -1, "title"); /* the header: h.title */
      lua_remove(L, -2);
    }
    lua_pop(L, 1);
  }
  return 0;
}

/* emit(what, obj, text): one LESSON_STEP event; what names the part
 * (enum tl_lesson_part in trace.h), obj is the step number (or a line).
 * A title, step or say also puts its text in each language as LANG
 * parts, so a recording's page can switch between them. */
static int f_emit(lua_State *L) {
  static const char *const langs[] = {"en", "zh"};
  int part = luaL_checkoption(L, 1, NULL, tl__parts), k;
  lua_Integer obj = luaL_optinteger(L, 2, 0);
  size_t len;
  const char *text = luaL_optlstring(L, 3, "", &len);
  if (!tl_trace_global) return 0;
  tl_emit(TL_EV_LESSON_STEP, (uint16_t)part, (uint32_t)obj,
          tl_trace_str(tl_trace_global, text, len));
  if ((part != TL_LESSON_TITLE && part != TL_LESSON_STEP && part != TL_LESSON_SAY) ||
      !tl__caller_texts(L))
    return 0;
  for (k = 0; k < 2; k++) {
    if (lua_getfield(L, -1, langs[k]) == LUA_TSTRING) {
      text = lua_tolstring(L, -1, &len);
      /* as its part, but free: a traced builtin costs virtual time */
      tl_emit_as(tl__self, TL_EV_LESSON_STEP, TL_LESSON_LANG, (uint32_t)k,
                 tl_trace_str(tl_trace_global, text, len));
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return 0;
}

/* trace_count() -> how many events were appended: a mark to read from. */
static int f_trace_count(lua_State *L) {
  lua_pushinteger(L, tl_trace_global ? (lua_Integer)tl_trace_total(tl_trace_global) : 0);
  return 1;
}

/* The texts of every event of one kind from index `from` on, in the order
 * the events were appended (under the virtual clock, the order they happened). */
static int tl__texts(lua_State *L, unsigned kind) {
  lua_Integer from = luaL_optinteger(L, 1, 0), n = 0;
  uint64_t start = from > 0 ? (uint64_t)from : 0;
  tl_trace_reader r;
  tl_event e;
  lua_newtable(L);
  if (!tl_trace_global) return 1;
  tl_trace_reader_init(&r, tl_trace_global);
  r.next = start;
  while (tl_trace_read(tl_trace_global, &r, &e) == 1) {
    /* pinned events from before `from` come with a gap: skip them */
    if (e.kind != kind || ((uint64_t)e.seq | (uint64_t)e.aux << 32) < start) continue;
    lua_pushstring(L, tl_trace_strat(tl_trace_global, e.arg));
    lua_rawseti(L, -2, ++n);
  }
  return 1;
}

/* printed(from) -> the lines print wrote since trace index `from` */
static int f_printed(lua_State *L) { return tl__texts(L, TL_EV_PRINT); }

/* deadlocks(from) -> the deadlock and hang reports since `from` */
static int f_deadlocks(lua_State *L) { return tl__texts(L, TL_EV_DEADLOCK); }

static int tl__by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* list(dir) -> the lesson files in dir ("01-concepts.lua", ...), sorted;
 * nil and a message when the folder cannot be read. */
static int f_list(lua_State *L) {
  const char *dir = luaL_checkstring(L, 1);
  DIR *d = opendir(dir);
  struct dirent *ent;
  char **names = NULL;
  size_t n = 0, cap = 0, i;
  if (!d) {
    luaL_pushfail(L);
    lua_pushfstring(L, "cannot read the folder %s", dir);
    return 2;
  }
  while ((ent = readdir(d))) {
    size_t len = strlen(ent->d_name);
    char *copy;
    if (ent->d_name[0] < '0' || ent->d_name[0] > '9') continue;
    if (len < 5 || strcmp(ent->d_name + len - 4, ".lua") != 0) continue;
    if (n == cap) {
      char **grown = realloc(names, (cap = cap ? cap * 2 : 32) * sizeof *names);
      if (!grown) break;
      names = grown;
    }
    if (!(copy = strdup(ent->d_name))) break;
    names[n++] = copy;
  }
  closedir(d);
  if (n) qsort(names, n, sizeof *names, tl__by_name);
  lua_createtable(L, (int)n, 0);
  for (i = 0; i < n; i++) {
    lua_pushstring(L, names[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
    free(names[i]);
  }
  free(names);
  return 1;
}

int luaopen_tl_lesson(lua_State *L) {
  static const luaL_Reg lib[] = {
    { "emit",        f_emit        },
    { "trace_count", f_trace_count },
    { "printed",     f_printed     },
    { "deadlocks",   f_deadlocks   },
    { "list",        f_list        },
    { NULL,          NULL          }
  };
  luaL_newlib(L, lib);
  return 1;
}
