/* Serialization across processes, as CPython's pickle: nil, booleans,
 * integers and floats kept apart, binary-safe strings, tables with shared
 * references and cycles kept, functions (and the metatables of objects) by
 * the global name they are defined under. Anything else — a local or
 * anonymous function, a coroutine, a thread, userdata — is a PicklingError
 * naming the path to it (`args[2].cb`). The buffer grows as needed.
 *
 * Format: 'P' 1, then one value. Values: N T F, I int64, D double, S len
 * bytes, G len name (a global function), H [M len name] pairs... E (a
 * table; it takes the next memo slot before its contents), R index (a table
 * seen before). Lengths and indices are LEB128. loads treats its input as
 * hostile: every length is checked against what is left. */
#include "pickle.h"

#include <lauxlib.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TL__PICKLE_DEPTH 500
#define TL__NAMES "threadlab.pickle.names"

typedef struct tl__pbuf {
  char *p;
  size_t n, cap;
} tl__pbuf;

typedef struct tl__dumper {
  lua_State *L;
  tl__pbuf *b;
  int memo;       /* stack index: table -> slot */
  int nmemo;
  int depth;
  char path[256];
  size_t plen;
  char err[512];
} tl__dumper;

static void tl__put(tl__dumper *d, const void *src, size_t n) {
  tl__pbuf *b = d->b;
  if (b->n + n > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    char *p;
    while (cap < b->n + n) cap *= 2;
    p = realloc(b->p, cap);
    if (!p) luaL_error(d->L, "out of memory while pickling");
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->n, src, n);
  b->n += n;
}

static void tl__putc(tl__dumper *d, char c) { tl__put(d, &c, 1); }

static void tl__putu(tl__dumper *d, uint64_t v) {
  unsigned char c[10];
  int n = 0;
  do {
    c[n] = v & 0x7f;
    v >>= 7;
    if (v) c[n] |= 0x80;
    n++;
  } while (v);
  tl__put(d, c, (size_t)n);
}

/* The global name a value goes by: a global (`work`) or a field of a
 * global table (`mylib.work`). Found names are cached, and checked. */
static int tl__resolve(lua_State *L, const char *name) {
  const char *dot = strchr(name, '.');
  lua_pushglobaltable(L);
  if (!dot) {
    lua_getfield(L, -1, name);
  } else {
    lua_pushlstring(L, name, (size_t)(dot - name));
    lua_rawget(L, -2);
    if (!lua_istable(L, -1)) {
      lua_pop(L, 2);
      lua_pushnil(L);
      return 0;
    }
    lua_pushstring(L, dot + 1);
    lua_rawget(L, -2);
    lua_remove(L, -2);
  }
  lua_remove(L, -2);
  return !lua_isnil(L, -1);
}

/* Whether the table at t is the module named by the string at name
 * (package.loaded[name] == t). */
static int tl__is_module(lua_State *L, int name, int t) {
  int yes;
  name = lua_absindex(L, name);
  t = lua_absindex(L, t);
  lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  if (!lua_istable(L, -1)) {
    lua_pop(L, 1);
    return 0;
  }
  lua_pushvalue(L, name);
  lua_rawget(L, -2);
  yes = lua_rawequal(L, -1, t);
  lua_pop(L, 2);
  return yes;
}

static const char *tl__global_name(lua_State *L, int idx) {
  const char *found = NULL;
  int g, ok;
  idx = lua_absindex(L, idx);
  luaL_checkstack(L, 8, NULL);
  if (luaL_getsubtable(L, LUA_REGISTRYINDEX, TL__NAMES)) {
    lua_pushvalue(L, idx);
    lua_rawget(L, -2);
    if (lua_type(L, -1) == LUA_TSTRING) {
      tl__resolve(L, lua_tostring(L, -1));
      ok = lua_rawequal(L, -1, idx);
      lua_pop(L, 1);
      if (ok) {
        found = lua_tostring(L, -1);
        lua_pop(L, 2); /* the string stays alive: the cache holds it */
        return found;
      }
    }
    lua_pop(L, 1);
  } else {
    lua_newtable(L);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
  }
  lua_pushglobaltable(L);
  g = lua_gettop(L);
  lua_pushnil(L);
  while (!found && lua_next(L, g)) {
    if (lua_type(L, -2) == LUA_TSTRING && lua_rawequal(L, -1, idx)) {
      lua_pushvalue(L, -2);
      found = "";
      lua_replace(L, g); /* the name, where _G was */
      lua_pop(L, 2);
      break;
    }
    lua_pop(L, 1);
  }
  /* A field of a global table: a module's (time.sleep) first, for a
   * name that means the same in a fresh process (a spawned child), then
   * any table's (mylib.work). */
  for (int modules = 1; !found && modules >= 0; modules--) {
    lua_pushnil(L);
    while (!found && lua_next(L, g)) {
      if (lua_type(L, -2) == LUA_TSTRING && lua_istable(L, -1) && !lua_rawequal(L, -1, g) &&
          tl__is_module(L, -2, -1) == modules) {
        int t = lua_gettop(L);
        lua_pushnil(L);
        while (lua_next(L, t)) {
          if (lua_type(L, -2) == LUA_TSTRING && lua_rawequal(L, -1, idx)) {
            lua_pushfstring(L, "%s.%s", lua_tostring(L, t - 1), lua_tostring(L, -2));
            lua_replace(L, g);
            found = "";
            break;
          }
          lua_pop(L, 1);
        }
        if (found) break;
      }
      lua_pop(L, 1);
    }
  }
  if (!found) {
    lua_settop(L, g - 2);
    return NULL;
  }
  lua_settop(L, g);
  /* g holds the name; the cache is at g-1 */
  lua_pushvalue(L, idx);
  lua_pushvalue(L, g);
  lua_rawset(L, g - 1);
  found = lua_tostring(L, g);
  lua_pop(L, 2);
  return found; /* alive: the cache holds it as long as the value lives */
}

static void tl__path_push(tl__dumper *d, lua_State *L, int key, size_t *saved) {
  char seg[80];
  *saved = d->plen;
  if (lua_type(L, key) == LUA_TSTRING) {
    const char *k = lua_tostring(L, key);
    snprintf(seg, sizeof seg, ".%s", k);
  } else if (lua_isinteger(L, key)) {
    snprintf(seg, sizeof seg, "[%lld]", (long long)lua_tointeger(L, key));
  } else {
    snprintf(seg, sizeof seg, "[<%s key>]", luaL_typename(L, key));
  }
  if (d->plen + strlen(seg) < sizeof d->path) {
    memcpy(d->path + d->plen, seg, strlen(seg) + 1);
    d->plen += strlen(seg);
  }
}

static int tl__dump(tl__dumper *d, int idx);

static int tl__fail(tl__dumper *d, const char *what) {
  snprintf(d->err, sizeof d->err, "Can't pickle %s at %s", what, d->path);
  return -1;
}

static int tl__dump_table(tl__dumper *d, int idx) {
  lua_State *L = d->L;
  if (lua_isnil(L, d->memo)) {
    lua_newtable(L);
    lua_replace(L, d->memo);
  }
  lua_pushvalue(L, idx);
  lua_rawget(L, d->memo);
  if (lua_isinteger(L, -1)) {
    tl__putc(d, 'R');
    tl__putu(d, (uint64_t)lua_tointeger(L, -1));
    lua_pop(L, 1);
    return 0;
  }
  lua_pop(L, 1);
  lua_pushvalue(L, idx);
  lua_pushinteger(L, d->nmemo++);
  lua_rawset(L, d->memo);
  tl__putc(d, 'H');
  if (lua_getmetatable(L, idx)) {
    const char *name;
    /* an object that refuses to be pickled says why (an mp.Queue: CPython's
     * RuntimeError, "... only be shared between processes through inheritance") */
    lua_pushliteral(L, "__pickle_error");
    if (lua_rawget(L, -2) == LUA_TSTRING) {
      snprintf(d->err, sizeof d->err, "%s", lua_tostring(L, -1));
      lua_pop(L, 2);
      return -4;
    }
    lua_pop(L, 1);
    name = tl__global_name(L, -1);
    lua_pop(L, 1);
    if (!name) return tl__fail(d, "an object whose metatable is not a global (pickled by name)");
    tl__putc(d, 'M');
    tl__putu(d, strlen(name));
    tl__put(d, name, strlen(name));
  }
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    size_t saved;
    int k = lua_gettop(L) - 1, rc;
    tl__path_push(d, L, k, &saved);
    if ((rc = tl__dump(d, k)) < 0 || (rc = tl__dump(d, k + 1)) < 0) return rc;
    d->path[d->plen = saved] = 0;
    lua_pop(L, 1);
  }
  tl__putc(d, 'E');
  return 0;
}

static int tl__dump(tl__dumper *d, int idx) {
  lua_State *L = d->L;
  char what[160];
  int r = 0;
  idx = lua_absindex(L, idx);
  switch (lua_type(L, idx)) {
    case LUA_TNIL: tl__putc(d, 'N'); return 0;
    case LUA_TBOOLEAN: tl__putc(d, lua_toboolean(L, idx) ? 'T' : 'F'); return 0;
    case LUA_TNUMBER:
      if (lua_isinteger(L, idx)) {
        int64_t v = (int64_t)lua_tointeger(L, idx);
        tl__putc(d, 'I');
        tl__put(d, &v, 8);
      } else {
        double v = (double)lua_tonumber(L, idx);
        tl__putc(d, 'D');
        tl__put(d, &v, 8);
      }
      return 0;
    case LUA_TSTRING: {
      size_t n;
      const char *s = lua_tolstring(L, idx, &n);
      tl__putc(d, 'S');
      tl__putu(d, n);
      tl__put(d, s, n);
      return 0;
    }
    case LUA_TTABLE:
      if (++d->depth > TL__PICKLE_DEPTH) {
        snprintf(d->err, sizeof d->err, "maximum recursion depth exceeded while pickling an object");
        return -2;
      }
      luaL_checkstack(L, 10, NULL);
      r = tl__dump_table(d, idx);
      d->depth--;
      return r;
    case LUA_TFUNCTION: {
      const char *name = tl__global_name(L, idx);
      lua_Debug ar;
      if (name) {
        tl__putc(d, 'G');
        tl__putu(d, strlen(name));
        tl__put(d, name, strlen(name));
        return 0;
      }
      lua_pushvalue(L, idx);
      lua_getinfo(L, ">S", &ar);
      if (ar.what[0] == 'C') snprintf(what, sizeof what, "a builtin function that is no global");
      else snprintf(what, sizeof what, "defined at %s:%d; only global functions go by name",
                    ar.short_src, ar.linedefined);
      snprintf(d->err, sizeof d->err, "Can't pickle local function at %s (%s)", d->path, what);
      return -1;
    }
    case LUA_TTHREAD: return tl__fail(d, "a coroutine (thread)");
    default: {
      const char *tn = NULL;
      if (luaL_getmetafield(L, idx, "__name") == LUA_TSTRING) tn = lua_tostring(L, -1);
      snprintf(what, sizeof what, "'%s' object (userdata)", tn ? tn : luaL_typename(L, idx));
      if (tn) lua_pop(L, 1);
      return tl__fail(d, what);
    }
  }
}

/* Each thread pickles into a buffer of its own, kept between calls: a
 * small message (most are) costs no allocation and leaves nothing for the
 * collector. It grows as needed and is let go when it grew past 64 KiB,
 * so one big message does not hold memory for ever. A memory error inside
 * (a longjmp out) leaves it marked busy: that thread then pickles into
 * collectable buffers, as before, slower but whole. */
static _Thread_local tl__pbuf *tl__tbuf_p;
static _Thread_local int tl__tbuf_busy; /* stays set after a longjmp out */
static pthread_key_t tl__tbuf_key;      /* frees a thread's buffer when it ends */
static pthread_once_t tl__tbuf_once = PTHREAD_ONCE_INIT;
#define TL__KEEP (64 * 1024)

static void tl__tbuf_free(void *p) {
  tl__pbuf *b = p;
  free(b->p);
  free(b);
}

static void tl__tbuf_make_key(void) { pthread_key_create(&tl__tbuf_key, tl__tbuf_free); }

/* This thread's buffer, made at its first pickling; NULL without memory. */
static tl__pbuf *tl__tbuf(void) {
  if (!tl__tbuf_p) {
    pthread_once(&tl__tbuf_once, tl__tbuf_make_key);
    tl__tbuf_p = calloc(1, sizeof *tl__tbuf_p);
    if (tl__tbuf_p) pthread_setspecific(tl__tbuf_key, tl__tbuf_p);
  }
  return tl__tbuf_p;
}

/* Otherwise (a dumps inside a dumps, from a finalizer; or after a memory
 * error left the thread's buffer marked busy) a buffer the collector
 * frees, whatever way the call ends. */
static int tl__pbuf_gc(lua_State *L) {
  tl__pbuf *b = lua_touserdata(L, 1);
  free(b->p);
  b->p = NULL;
  return 0;
}

static tl__pbuf *tl__gc_buffer(lua_State *L) {
  tl__pbuf *b = lua_newuserdatauv(L, sizeof *b, 0);
  memset(b, 0, sizeof *b);
  if (luaL_newmetatable(L, "threadlab.pickle.buf")) {
    lua_pushcfunction(L, tl__pbuf_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  return b;
}

/* Pickles the value at idx into b; pushes nothing. */
static int tl__dumps_into(lua_State *L, int idx, const char *root, char *err, size_t errlen,
                          tl__pbuf *b) {
  tl__dumper d;
  int r;
  idx = lua_absindex(L, idx);
  memset(&d, 0, sizeof d);
  d.L = L;
  d.b = b;
  b->n = 0;
  lua_pushnil(L); /* the memo (table -> slot), made at the first table */
  d.memo = lua_gettop(L);
  if (!root) root = "obj";
  d.plen = strlen(root) < sizeof d.path ? strlen(root) : sizeof d.path - 1;
  memcpy(d.path, root, d.plen);
  d.path[d.plen] = 0;
  tl__putc(&d, 'P');
  tl__putc(&d, 1);
  r = tl__dump(&d, idx);
  if (r < 0) snprintf(err, errlen, "%s", d.err);
  lua_settop(L, d.memo - 1);
  return r;
}

void tl_pickle_trim(void) {
  tl__pbuf *b = tl__tbuf_p;
  if (b && b->cap > TL__KEEP && !tl__tbuf_busy) {
    free(b->p);
    b->p = NULL;
    b->cap = 0;
  }
}

int tl_pickle_dumps(lua_State *L, int idx, const char *root, char *err, size_t errlen) {
  tl__pbuf *tb = tl__tbuf();
  int r;
  idx = lua_absindex(L, idx);
  if (tl__tbuf_busy || !tb) {
    tl__pbuf *b = tl__gc_buffer(L);
    r = tl__dumps_into(L, idx, root, err, errlen, b);
    if (r == 0) lua_pushlstring(L, b->p, b->n);
    free(b->p); /* the userdata stays for the collector */
    b->p = NULL;
    lua_remove(L, -2 + (r < 0));
    return r;
  }
  tl__tbuf_busy = 1;
  r = tl__dumps_into(L, idx, root, err, errlen, tb);
  tl__tbuf_busy = 0;
  if (r == 0) lua_pushlstring(L, tb->p, tb->n);
  tl_pickle_trim();
  return r;
}

int tl_pickle_dumps_view(lua_State *L, int idx, const char *root, char *err, size_t errlen,
                         const char **out, size_t *n) {
  tl__pbuf *tb = tl__tbuf();
  int r;
  if (tl__tbuf_busy || !tb) {
    r = tl_pickle_dumps(L, idx, root, err, errlen);
    if (r < 0) return r;
    *out = lua_tolstring(L, -1, n);
    return 1;
  }
  tl__tbuf_busy = 1;
  r = tl__dumps_into(L, idx, root, err, errlen, tb);
  tl__tbuf_busy = 0;
  *out = tb->p;
  *n = tb->n;
  return r;
}

/* ---- loads ------------------------------------------------------------- */

typedef struct tl__loader {
  lua_State *L;
  const unsigned char *s, *end;
  int memo, nmemo, depth;
  char *err;
  size_t errlen;
} tl__loader;

static int tl__bad(tl__loader *r, const char *why) {
  snprintf(r->err, r->errlen, "pickle data was truncated or corrupt: %s", why);
  return -1;
}

static int tl__getu(tl__loader *r, uint64_t *v) {
  int shift = 0;
  *v = 0;
  for (;;) {
    unsigned char c;
    if (r->s >= r->end) return tl__bad(r, "a length runs past the end");
    c = *r->s++;
    if (shift > 63) return tl__bad(r, "a length is too long");
    *v |= (uint64_t)(c & 0x7f) << shift;
    shift += 7;
    if (!(c & 0x80)) return 0;
  }
}

static int tl__getname(tl__loader *r, const char **name, size_t *n) {
  uint64_t len;
  if (tl__getu(r, &len) < 0) return -1;
  if (len > (uint64_t)(r->end - r->s)) return tl__bad(r, "a name runs past the end");
  *name = (const char *)r->s;
  *n = (size_t)len;
  r->s += len;
  return 0;
}

static int tl__find_global(tl__loader *r, const char *name, size_t n) {
  char buf[256];
  if (n == 0 || n >= sizeof buf || memchr(name, 0, n)) return tl__bad(r, "a bad global name");
  memcpy(buf, name, n);
  buf[n] = 0;
  if (!tl__resolve(r->L, buf)) {
    lua_pop(r->L, 1);
    snprintf(r->err, r->errlen, "Can't get attribute '%s' on the main chunk (no such global in this process)", buf);
    return -3;
  }
  return 0;
}

static int tl__load(tl__loader *r) {
  lua_State *L = r->L;
  unsigned char tag;
  luaL_checkstack(L, 6, NULL);
  if (r->s >= r->end) return tl__bad(r, "no value where one was due");
  tag = *r->s++;
  switch (tag) {
    case 'N': lua_pushnil(L); return 0;
    case 'T': lua_pushboolean(L, 1); return 0;
    case 'F': lua_pushboolean(L, 0); return 0;
    case 'I': {
      int64_t v;
      if (r->end - r->s < 8) return tl__bad(r, "an integer runs past the end");
      memcpy(&v, r->s, 8);
      r->s += 8;
      lua_pushinteger(L, (lua_Integer)v);
      return 0;
    }
    case 'D': {
      double v;
      if (r->end - r->s < 8) return tl__bad(r, "a float runs past the end");
      memcpy(&v, r->s, 8);
      r->s += 8;
      lua_pushnumber(L, (lua_Number)v);
      return 0;
    }
    case 'S': {
      const char *p;
      size_t n;
      if (tl__getname(r, &p, &n) < 0) return -1;
      lua_pushlstring(L, p, n);
      return 0;
    }
    case 'G': {
      const char *p;
      size_t n;
      if (tl__getname(r, &p, &n) < 0) return -1;
      return tl__find_global(r, p, n);
    }
    case 'R': {
      uint64_t i;
      if (tl__getu(r, &i) < 0) return -1;
      if (i >= (uint64_t)r->nmemo) return tl__bad(r, "a reference to no table");
      lua_rawgeti(L, r->memo, (lua_Integer)i + 1);
      return 0;
    }
    case 'H': {
      int t, rc;
      if (++r->depth > TL__PICKLE_DEPTH) return tl__bad(r, "tables nested too deep");
      if (lua_isnil(L, r->memo)) { /* the memo, made at the first table */
        lua_newtable(L);
        lua_replace(L, r->memo);
      }
      lua_newtable(L);
      t = lua_gettop(L);
      lua_pushvalue(L, t);
      lua_rawseti(L, r->memo, ++r->nmemo);
      if (r->s < r->end && *r->s == 'M') {
        const char *p;
        size_t n;
        r->s++;
        if (tl__getname(r, &p, &n) < 0) return -1;
        if ((rc = tl__find_global(r, p, n)) < 0) return rc;
        if (!lua_istable(L, -1)) return tl__bad(r, "a metatable that is no table");
        lua_setmetatable(L, t);
      }
      for (;;) {
        if (r->s >= r->end) return tl__bad(r, "a table runs past the end");
        if (*r->s == 'E') {
          r->s++;
          break;
        }
        if ((rc = tl__load(r)) < 0 || (rc = tl__load(r)) < 0) return rc;
        if (lua_isnil(L, -2) || (lua_type(L, -2) == LUA_TNUMBER && lua_tonumber(L, -2) != lua_tonumber(L, -2)))
          return tl__bad(r, "a table key that is nil or NaN");
        lua_rawset(L, t);
      }
      r->depth--;
      return 0;
    }
    default: return tl__bad(r, "an unknown tag");
  }
}

int tl_pickle_loads(lua_State *L, const char *s, size_t n, char *err, size_t errlen) {
  tl__loader r;
  int top = lua_gettop(L), rc;
  memset(&r, 0, sizeof r);
  r.L = L;
  r.s = (const unsigned char *)s;
  r.end = r.s + n;
  r.err = err;
  r.errlen = errlen;
  if (n < 2 || s[0] != 'P' || s[1] != 1) {
    tl__bad(&r, "not pickle data of this version");
    return -1;
  }
  r.s += 2;
  lua_pushnil(L);
  r.memo = lua_gettop(L);
  rc = tl__load(&r);
  if (rc == 0 && r.s != r.end) rc = tl__bad(&r, "bytes left over after the value");
  if (rc < 0) {
    lua_settop(L, top);
    return rc;
  }
  lua_remove(L, r.memo);
  return 0;
}
