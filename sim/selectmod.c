/* select: Lua's own select('#', ...) still works (the module is a table
 * whose __call is the builtin), and it carries Python's select.select,
 * select.poll and select.epoll. Every wait goes through tl_io_wait: it
 * releases the GIL, can be interrupted, and marks its ready set. epoll is
 * the kernel's own, so level- and edge-triggered behave as on Linux. */
#include "io.h"

#include "engine.h"

#include <errno.h>
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <unistd.h>

#define TL_POLL_MT "threadlab.poll"
#define TL_EPOLL_MT "threadlab.epoll"

/* An int, or anything with a fileno() method (a socket). */
static int tl__fileno(lua_State *L, int idx) {
  lua_Integer fd;
  idx = lua_absindex(L, idx);
  if (lua_isinteger(L, idx)) {
    fd = lua_tointeger(L, idx);
  } else if (tl_sock_fileno(L, idx, &fd)) {
    /* (a socket's, as its fileno() would say: select takes many) */
  } else {
    int t = lua_type(L, idx);
    if ((t != LUA_TUSERDATA && t != LUA_TTABLE) || lua_getfield(L, idx, "fileno") != LUA_TFUNCTION)
      return tl_raise(L, "TypeError", "argument must be an int, or have a fileno() method.");
    lua_pushvalue(L, idx);
    lua_call(L, 1, 1);
    if (!lua_isinteger(L, -1)) return tl_raise(L, "TypeError", "fileno() returned a non-integer");
    fd = lua_tointeger(L, -1);
    lua_pop(L, 1);
  }
  if (fd < 0) return tl_raise(L, "ValueError", "file descriptor cannot be a negative integer (%d)", (int)fd);
  if (fd > 0x7fffffff) return tl_raise(L, "OverflowError", "fd is greater than maximum");
  return (int)fd;
}

/* A timeout in seconds (nil: none) as tl_io_wait takes it. */
static double tl__timeout(lua_State *L, int idx, double scale) {
  double t;
  if (lua_isnoneornil(L, idx)) return -1;
  t = luaL_checknumber(L, idx) * scale;
  return t < 0 ? -1 : t;
}

/* ---- select.select ------------------------------------------------------- */

#define TL__SELECT_ON_STACK 64

static int f_select(lua_State *L) {
  static const short evs[3] = {POLLIN, POLLOUT, POLLPRI};
  int n = 0, k[3] = {0, 0, 0};
  lua_Integer len[3];
  struct pollfd few[TL__SELECT_ON_STACK], *fds;
  double timeout;
  for (int i = 1; i <= 3; i++) luaL_checktype(L, i, LUA_TTABLE);
  if (!lua_isnoneornil(L, 4) && luaL_checknumber(L, 4) < 0)
    return tl_raise(L, "ValueError", "timeout must be non-negative");
  timeout = tl__timeout(L, 4, 1);
  /* Each list's length, once (a __len may say something else the next
   * time), within select's own limit, as CPython's. */
  for (int i = 0; i < 3; i++) {
    len[i] = luaL_len(L, i + 1);
    if (len[i] < 0) len[i] = 0;
    if (len[i] > FD_SETSIZE) return tl_raise(L, "ValueError", "too many file descriptors in select()");
    n += (int)len[i];
  }
  /* (a few on the stack: select is the loop of a server) */
  fds = n <= TL__SELECT_ON_STACK ? few : lua_newuserdatauv(L, (size_t)n * sizeof *fds, 0);
  n = 0;
  for (int i = 0; i < 3; i++) {
    for (lua_Integer j = 1; j <= len[i]; j++) {
      lua_geti(L, i + 1, j);
      fds[n].fd = tl__fileno(L, -1);
      fds[n].events = evs[i];
      fds[n].revents = 0;
      lua_pop(L, 1);
      n++;
    }
  }
  tl_io_wait(L, fds, n, timeout, TL_IO_MARK);
  n = 0;
  for (int i = 0; i < 3; i++) {
    lua_newtable(L);
    for (lua_Integer j = 1; j <= len[i]; j++, n++) {
      short want = i == 0 ? POLLIN | POLLHUP | POLLERR : i == 1 ? POLLOUT | POLLERR : POLLPRI;
      if (fds[n].revents & (want | POLLNVAL)) {
        if (fds[n].revents & POLLNVAL) return tl_io_raise_errno(L, EBADF);
        lua_geti(L, i + 1, j);
        lua_rawseti(L, -2, ++k[i]);
      }
    }
  }
  return 3;
}

/* ---- select.poll ---------------------------------------------------------- */

typedef struct {
  struct pollfd *fds;
  int n, cap;
} tl_pollobj;

static int tl__poll_find(tl_pollobj *p, int fd) {
  for (int i = 0; i < p->n; i++)
    if (p->fds[i].fd == fd) return i;
  return -1;
}

static int f_poll_new(lua_State *L) {
  tl_pollobj *p = lua_newuserdatauv(L, sizeof *p, 0);
  memset(p, 0, sizeof *p);
  luaL_setmetatable(L, TL_POLL_MT);
  return 1;
}

static int f_poll_register(lua_State *L) {
  tl_pollobj *p = luaL_checkudata(L, 1, TL_POLL_MT);
  int fd = tl__fileno(L, 2), i = tl__poll_find(p, fd);
  short mask = (short)luaL_optinteger(L, 3, POLLIN | POLLPRI | POLLOUT);
  if (i < 0) {
    if (p->n == p->cap) {
      int cap = p->cap ? p->cap * 2 : 8;
      struct pollfd *m = realloc(p->fds, (size_t)cap * sizeof *m);
      if (!m) return tl_raise(L, "MemoryError", "");
      p->fds = m;
      p->cap = cap;
    }
    i = p->n++;
  }
  p->fds[i].fd = fd;
  p->fds[i].events = mask;
  return 0;
}

static int f_poll_modify(lua_State *L) {
  tl_pollobj *p = luaL_checkudata(L, 1, TL_POLL_MT);
  int i = tl__poll_find(p, tl__fileno(L, 2));
  if (i < 0) return tl_io_raise_errno(L, ENOENT);
  p->fds[i].events = (short)luaL_checkinteger(L, 3);
  return 0;
}

static int f_poll_unregister(lua_State *L) {
  tl_pollobj *p = luaL_checkudata(L, 1, TL_POLL_MT);
  int fd = tl__fileno(L, 2), i = tl__poll_find(p, fd);
  if (i < 0) return tl_raise(L, "KeyError", "%d", fd);
  p->fds[i] = p->fds[--p->n];
  return 0;
}

/* poll(ms) -> { {fd, events}, ... } */
static int f_poll_poll(lua_State *L) {
  tl_pollobj *p = luaL_checkudata(L, 1, TL_POLL_MT);
  double timeout = tl__timeout(L, 2, 1e-3);
  int k = 0, n = p->n;
  /* a copy: another thread may register meanwhile (as CPython guards) */
  struct pollfd *fds = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof *fds, 0);
  memcpy(fds, p->fds, (size_t)n * sizeof *fds);
  tl_io_wait(L, fds, n, timeout, TL_IO_MARK);
  lua_newtable(L);
  for (int i = 0; i < n; i++)
    if (fds[i].revents) {
      lua_createtable(L, 2, 0);
      lua_pushinteger(L, fds[i].fd);
      lua_rawseti(L, -2, 1);
      lua_pushinteger(L, fds[i].revents);
      lua_rawseti(L, -2, 2);
      lua_rawseti(L, -2, ++k);
    }
  return 1;
}

static int f_poll_gc(lua_State *L) {
  tl_pollobj *p = luaL_checkudata(L, 1, TL_POLL_MT);
  free(p->fds);
  p->fds = NULL;
  p->n = p->cap = 0;
  return 0;
}

/* ---- select.epoll --------------------------------------------------------- */

typedef struct {
  int epfd;
} tl_epoll;

static tl_epoll *tl__ep(lua_State *L) {
  tl_epoll *e = luaL_checkudata(L, 1, TL_EPOLL_MT);
  if (e->epfd < 0) tl_raise(L, "ValueError", "I/O operation on closed epoll object");
  return e;
}

static int f_epoll_new(lua_State *L) {
  tl_epoll *e = lua_newuserdatauv(L, sizeof *e, 0);
  e->epfd = -1;
  luaL_setmetatable(L, TL_EPOLL_MT);
  if ((e->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) return tl_io_raise_errno(L, errno);
  tl_io_own(e->epfd, 1);
  tl_io_set_desc(e->epfd, "epoll", 0);
  return 1;
}

static int tl__ctl(lua_State *L, int op) {
  tl_epoll *e = tl__ep(L);
  int fd = tl__fileno(L, 2);
  struct epoll_event ev;
  memset(&ev, 0, sizeof ev);
  ev.events = (uint32_t)luaL_optinteger(L, 3, EPOLLIN | EPOLLPRI | EPOLLOUT);
  if (op == EPOLL_CTL_MOD && lua_isnoneornil(L, 3)) luaL_checkinteger(L, 3);
  ev.data.fd = fd;
  if (epoll_ctl(e->epfd, op, fd, &ev) != 0) return tl_io_raise_errno(L, errno);
  return 0;
}

static int f_epoll_register(lua_State *L) { return tl__ctl(L, EPOLL_CTL_ADD); }
static int f_epoll_modify(lua_State *L) { return tl__ctl(L, EPOLL_CTL_MOD); }
static int f_epoll_unregister(lua_State *L) { return tl__ctl(L, EPOLL_CTL_DEL); }

/* poll(timeout seconds, maxevents) -> { {fd, events}, ... }: waits until
 * the epoll descriptor is readable (its ready list is not empty), then
 * takes the list without blocking. */
static int f_epoll_poll(lua_State *L) {
  tl_epoll *e = tl__ep(L);
  double timeout = tl__timeout(L, 2, 1);
  int max = (int)luaL_optinteger(L, 3, -1), r;
  struct epoll_event *evs;
  struct pollfd me;
  if (max <= 0) max = 64;
  evs = lua_newuserdatauv(L, (size_t)max * sizeof *evs, 0);
  me.fd = e->epfd;
  me.events = POLLIN;
  me.revents = 0;
  if (timeout != 0) tl_io_wait(L, &me, 1, timeout, TL_IO_MARK);
  while ((r = epoll_wait(e->epfd, evs, max, 0)) < 0 && errno == EINTR) {}
  if (r < 0) return tl_io_raise_errno(L, errno);
  lua_createtable(L, r, 0);
  for (int i = 0; i < r; i++) {
    lua_createtable(L, 2, 0);
    lua_pushinteger(L, evs[i].data.fd);
    lua_rawseti(L, -2, 1);
    lua_pushinteger(L, evs[i].events);
    lua_rawseti(L, -2, 2);
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

static int f_epoll_fileno(lua_State *L) {
  lua_pushinteger(L, tl__ep(L)->epfd);
  return 1;
}

static int f_epoll_close(lua_State *L) {
  tl_epoll *e = luaL_checkudata(L, 1, TL_EPOLL_MT);
  if (e->epfd >= 0 && tl_io_owned(e->epfd)) {
    close(e->epfd);
    tl_io_disown(e->epfd);
  }
  e->epfd = -1;
  return 0;
}

static int f_epoll_index(lua_State *L) {
  tl_epoll *e = luaL_checkudata(L, 1, TL_EPOLL_MT);
  const char *k = luaL_checkstring(L, 2);
  if (strcmp(k, "closed") == 0) {
    lua_pushboolean(L, e->epfd < 0);
    return 1;
  }
  lua_getfield(L, lua_upvalueindex(1), k);
  if (lua_isnil(L, -1)) return tl_raise(L, "AttributeError", "'select.epoll' object has no attribute '%s'", k);
  return 1;
}

/* select(...) is Lua's builtin again: select('#', ...) */
static int f_call(lua_State *L) {
  lua_remove(L, 1);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

int luaopen_tl_select(lua_State *L) {
  static const luaL_Reg poll_methods[] = {
    { "register",   f_poll_register   },
    { "modify",     f_poll_modify     },
    { "unregister", f_poll_unregister },
    { "poll",       f_poll_poll       },
    { NULL,         NULL              }
  };
  static const luaL_Reg epoll_methods[] = {
    { "register",   f_epoll_register   },
    { "modify",     f_epoll_modify     },
    { "unregister", f_epoll_unregister },
    { "poll",       f_epoll_poll       },
    { "fileno",     f_epoll_fileno     },
    { "close",      f_epoll_close      },
    { NULL,         NULL               }
  };
  static const tl_int_const consts[] = {
    { "POLLIN", POLLIN }, { "POLLPRI", POLLPRI }, { "POLLOUT", POLLOUT },
    { "POLLERR", POLLERR }, { "POLLHUP", POLLHUP }, { "POLLNVAL", POLLNVAL },
    { "POLLRDNORM", POLLRDNORM }, { "POLLWRNORM", POLLWRNORM },
    { "EPOLLIN", EPOLLIN }, { "EPOLLOUT", EPOLLOUT }, { "EPOLLPRI", EPOLLPRI },
    { "EPOLLERR", EPOLLERR }, { "EPOLLHUP", EPOLLHUP }, { "EPOLLRDHUP", EPOLLRDHUP },
    { "EPOLLET", (long)EPOLLET }, { "EPOLLONESHOT", EPOLLONESHOT },
    { "EPOLLEXCLUSIVE", EPOLLEXCLUSIVE }
  };
  luaL_newmetatable(L, TL_POLL_MT);
  luaL_newlib(L, poll_methods);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, f_poll_gc);
  lua_setfield(L, -2, "__gc");
  lua_pop(L, 1);
  luaL_newmetatable(L, TL_EPOLL_MT);
  luaL_newlib(L, epoll_methods);
  lua_pushcclosure(L, f_epoll_index, 1);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, f_epoll_close);
  lua_setfield(L, -2, "__gc");
  lua_pushcfunction(L, f_epoll_close);
  lua_setfield(L, -2, "__close");
  lua_pop(L, 1);
  lua_createtable(L, 0, 24);
  lua_pushcfunction(L, f_select);
  lua_setfield(L, -2, "select");
  lua_pushcfunction(L, f_poll_new);
  lua_setfield(L, -2, "poll");
  lua_pushcfunction(L, f_epoll_new);
  lua_setfield(L, -2, "epoll");
  tl_set_ints(L, consts, sizeof consts / sizeof *consts);
  lua_getglobal(L, "OSError");
  lua_setfield(L, -2, "error");
  lua_createtable(L, 0, 1);
  lua_getglobal(L, "select");
  lua_pushcclosure(L, f_call, 1);
  lua_setfield(L, -2, "__call");
  lua_setmetatable(L, -2);
  return 1;
}
