/* socket: loopback-only sockets over the kernel's own (TCP and UDP on
 * 127.0.0.0/8 and ::1). Addresses are tables like Python's tuples:
 * {"127.0.0.1", 8080}. Every blocking call waits through tl_io_wait, so it
 * releases the GIL, honours settimeout, and can be interrupted. */
#include "io.h"

#include "engine.h"

#include <arpa/inet.h>
#include <errno.h>
#include <lauxlib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define TL_SOCK_MT "threadlab.socket"
#define TL_ADDR_MT "threadlab.address"

typedef struct {
  int fd;
  int family, type;
  double timeout; /* < 0: blocking, 0: non-blocking, else seconds */
} tl_sock;

/* connect() names its channel by its own port, so accept() in this
 * process (or a child forked after) draws both ends as one channel. */
#define TL__NCHAN 64
static struct { int port; uint32_t chan; } tl__chans[TL__NCHAN];
static int tl__nchan;

static tl_sock *tl__check(lua_State *L) {
  return luaL_checkudata(L, 1, TL_SOCK_MT);
}

static int tl__fd(lua_State *L, tl_sock *s) {
  if (s->fd < 0) tl_io_raise_errno(L, EBADF);
  return s->fd;
}

/* ---- addresses ---------------------------------------------------------- */

static void tl__push_addr(lua_State *L, const struct sockaddr_storage *ss) {
  char host[INET6_ADDRSTRLEN] = "";
  int port = 0;
  if (ss->ss_family == AF_INET) {
    const struct sockaddr_in *a = (const void *)ss;
    inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
    port = ntohs(a->sin_port);
  } else if (ss->ss_family == AF_INET6) {
    const struct sockaddr_in6 *a = (const void *)ss;
    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    port = ntohs(a->sin6_port);
  }
  lua_createtable(L, ss->ss_family == AF_INET6 ? 4 : 2, 0);
  lua_pushstring(L, host);
  lua_rawseti(L, -2, 1);
  lua_pushinteger(L, port);
  lua_rawseti(L, -2, 2);
  if (ss->ss_family == AF_INET6) {
    lua_pushinteger(L, 0);
    lua_rawseti(L, -2, 3);
    lua_pushinteger(L, 0);
    lua_rawseti(L, -2, 4);
  }
  luaL_setmetatable(L, TL_ADDR_MT);
}

/* An address table at idx into ss; raises on a bad one, and
 * PermissionError outside the loopback. */
static socklen_t tl__get_addr(lua_State *L, tl_sock *s, int idx, struct sockaddr_storage *ss,
                              const char *fn) {
  const char *host;
  lua_Integer port;
  memset(ss, 0, sizeof *ss);
  if (!lua_istable(L, idx))
    return (socklen_t)tl_raise(L, "TypeError", "%s address must be a table like {host, port}, not %s",
                               s->family == AF_INET6 ? "AF_INET6" : "AF_INET", luaL_typename(L, idx));
  lua_rawgeti(L, idx, 1);
  lua_rawgeti(L, idx, 2);
  if (lua_type(L, -2) != LUA_TSTRING)
    return (socklen_t)tl_raise(L, "TypeError", "the host must be a string, not %s", luaL_typename(L, -2));
  if (!lua_isinteger(L, -1))
    return (socklen_t)tl_raise(L, "TypeError", "the port must be an integer, not %s", luaL_typename(L, -1));
  host = lua_tostring(L, -2);
  port = lua_tointeger(L, -1);
  lua_pop(L, 2);
  if (port < 0 || port > 65535)
    return (socklen_t)tl_raise(L, "OverflowError", "%s(): port must be 0-65535.", fn);
  if (strcmp(host, "localhost") == 0) host = s->family == AF_INET6 ? "::1" : "127.0.0.1";
  if (s->family == AF_INET6) {
    struct sockaddr_in6 *a = (void *)ss;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)port);
    if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
      return (socklen_t)tl_raise(L, "PermissionError", "threadlab sockets are loopback-only (%s is not ::1)", host);
    if (!IN6_IS_ADDR_LOOPBACK(&a->sin6_addr))
      return (socklen_t)tl_raise(L, "PermissionError", "threadlab sockets are loopback-only");
    return sizeof *a;
  } else {
    struct sockaddr_in *a = (void *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
      return (socklen_t)tl_raise(L, "PermissionError", "threadlab sockets are loopback-only (%s is not in 127.0.0.0/8)", *host ? host : "''");
    if ((ntohl(a->sin_addr.s_addr) >> 24) != 127)
      return (socklen_t)tl_raise(L, "PermissionError", "threadlab sockets are loopback-only");
    return sizeof *a;
  }
}

static int f_addr_tostring(lua_State *L) {
  lua_rawgeti(L, 1, 1);
  lua_rawgeti(L, 1, 2);
  if (lua_rawlen(L, 1) == 4)
    lua_pushfstring(L, "('%s', %d, 0, 0)", lua_tostring(L, -2), (int)lua_tointeger(L, -1));
  else
    lua_pushfstring(L, "('%s', %d)", lua_tostring(L, -2), (int)lua_tointeger(L, -1));
  return 1;
}

static int f_addr_eq(lua_State *L) {
  lua_rawgeti(L, 1, 1);
  lua_rawgeti(L, 2, 1);
  lua_rawgeti(L, 1, 2);
  lua_rawgeti(L, 2, 2);
  lua_pushboolean(L, lua_rawequal(L, -4, -3) && lua_rawequal(L, -2, -1));
  return 1;
}

/* What the trace calls it: the address it is bound to, or the peer it was
 * connected to (an ephemeral port differs from run to run). */
static void tl__describe(tl_sock *s, const char *how, uint32_t chan) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  char host[INET6_ADDRSTRLEN] = "?", desc[72];
  int port = 0, peer = strcmp(how, "to") == 0;
  if ((peer ? getpeername : getsockname)(s->fd, (struct sockaddr *)&ss, &len) != 0) return;
  if (ss.ss_family == AF_INET) {
    inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof host);
    port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
  } else {
    inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host, sizeof host);
    port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
  }
  snprintf(desc, sizeof desc, "socket %s%s%s:%d%s", peer ? "to " : "",
           s->family == AF_INET6 ? "[" : "", host, port,
           s->family == AF_INET6 ? "]" : "");
  if (strcmp(how, "accepted") == 0) strncat(desc, ", accepted", sizeof desc - strlen(desc) - 1);
  tl_io_set_desc(s->fd, desc, chan);
}

static int tl__local_port(int fd) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0) return -1;
  return ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                  : ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static int tl__peer_port(int fd) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  if (getpeername(fd, (struct sockaddr *)&ss, &len) != 0) return -1;
  return ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                  : ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* ---- the socket object --------------------------------------------------- */

static tl_sock *tl__new(lua_State *L, int fd, int family, int type) {
  tl_sock *s = lua_newuserdatauv(L, sizeof *s, 0);
  s->fd = fd;
  s->family = family;
  s->type = type;
  s->timeout = -1;
  luaL_setmetatable(L, TL_SOCK_MT);
  tl_io_own(fd, 1);
  return s;
}

/* socket.socket(family, type) or socket.socket{family=, type=} */
static int f_socket(lua_State *L) {
  lua_Integer family = AF_INET, type = SOCK_STREAM;
  int fd;
  if (lua_istable(L, 1)) {
    lua_pushnil(L);
    while (lua_next(L, 1)) {
      const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
      if (!k || (strcmp(k, "family") && strcmp(k, "type") && strcmp(k, "proto")))
        return tl_raise(L, "TypeError", "socket() got an unexpected keyword argument '%s'",
                        k ? k : luaL_tolstring(L, -2, NULL));
      lua_pop(L, 1);
    }
    lua_getfield(L, 1, "family");
    lua_getfield(L, 1, "type");
    family = luaL_optinteger(L, -2, AF_INET);
    type = luaL_optinteger(L, -1, SOCK_STREAM);
  } else {
    family = luaL_optinteger(L, 1, AF_INET);
    type = luaL_optinteger(L, 2, SOCK_STREAM);
  }
  if (family != AF_INET && family != AF_INET6)
    return tl_raise(L, "ValueError", "threadlab sockets are AF_INET or AF_INET6, not %d", (int)family);
  if (type != SOCK_STREAM && type != SOCK_DGRAM)
    return tl_raise(L, "ValueError", "threadlab sockets are SOCK_STREAM or SOCK_DGRAM, not %d", (int)type);
  fd = socket((int)family, (int)type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return tl_io_raise_errno(L, errno);
  tl__new(L, fd, (int)family, (int)type);
  return 1;
}

/* Waits as the socket's timeout says; raises TimeoutError on timeout and
 * BlockingIOError (err) when non-blocking. */
static void tl__sock_wait(lua_State *L, tl_sock *s, short events, int err) {
  if (s->timeout == 0) tl_io_raise_errno(L, err);
  if (tl_io_wait_fd(L, s->fd, events, s->timeout) == 0) tl_raise(L, "TimeoutError", "timed out");
}

/* bind(2), but in the virtual clock port 0 is a port drawn from the
 * seeded stream, not the kernel's: the same seed, the same ports, the
 * same trace byte for byte. */
static int tl__bind(int fd, struct sockaddr_storage *ss, socklen_t len) {
  in_port_t *port = ss->ss_family == AF_INET6 ? &((struct sockaddr_in6 *)ss)->sin6_port
                                              : &((struct sockaddr_in *)ss)->sin_port;
  static const tl_world *world;
  static uint64_t rng;
  int one = 1;
  if (!TL_VIRTUAL() || *port != 0) return bind(fd, (struct sockaddr *)ss, len);
  /* A stream of its own, from the seed: a port taken on this machine
   * (another run's TIME_WAIT) costs a retry here, never a change in
   * which thread the scheduler picks. */
  if (world != tl_W) {
    world = tl_W;
    rng = tl_W->cfg.seed ^ 0x9e3779b97f4a7c15u;
  }
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  for (int i = 0; i < 64; i++) {
    uint64_t r = (rng += 0x9e3779b97f4a7c15u);
    r = (r ^ (r >> 30)) * 0xbf58476d1ce4e5b9u;
    r = (r ^ (r >> 27)) * 0x94d049bb133111ebu;
    r ^= r >> 31;
    *port = htons((uint16_t)(20000 + r % 30000));
    if (bind(fd, (struct sockaddr *)ss, len) == 0) return 0;
    if (errno != EADDRINUSE) return -1;
  }
  *port = 0;
  return bind(fd, (struct sockaddr *)ss, len);
}

/* In the virtual clock an unbound socket about to connect or send gets
 * its port from the seed too (else the kernel's ephemeral one). */
static void tl__autobind(tl_sock *s) {
  struct sockaddr_storage ss;
  if (!TL_VIRTUAL() || tl__local_port(s->fd) != 0) return;
  memset(&ss, 0, sizeof ss);
  if (s->family == AF_INET6) {
    ((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
    ((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;
    tl__bind(s->fd, &ss, sizeof(struct sockaddr_in6));
  } else {
    ((struct sockaddr_in *)&ss)->sin_family = AF_INET;
    ((struct sockaddr_in *)&ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    tl__bind(s->fd, &ss, sizeof(struct sockaddr_in));
  }
}

static int f_bind(lua_State *L) {
  tl_sock *s = tl__check(L);
  struct sockaddr_storage ss;
  socklen_t len = tl__get_addr(L, s, 2, &ss, "bind");
  if (tl__bind(tl__fd(L, s), &ss, len) != 0) return tl_io_raise_errno(L, errno);
  tl__describe(s, "", 0);
  return 0;
}

static int f_listen(lua_State *L) {
  tl_sock *s = tl__check(L);
  int backlog = (int)luaL_optinteger(L, 2, SOMAXCONN);
  if (listen(tl__fd(L, s), backlog < 0 ? 0 : backlog) != 0) return tl_io_raise_errno(L, errno);
  tl_io_set_ports(s->fd, tl__local_port(s->fd), -1);
  tl__describe(s, "", 0);
  return 0;
}

static int f_accept(lua_State *L) {
  tl_sock *s = tl__check(L), *c;
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  int fd, port;
  uint32_t chan = 0;
  tl__fd(L, s);
  while ((fd = accept4(s->fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC)) < 0) {
    if (errno == EINTR) continue;
    if (errno != EAGAIN) return tl_io_raise_errno(L, errno);
    tl__sock_wait(L, s, POLLIN, errno);
    len = sizeof ss;
  }
  c = tl__new(L, fd, s->family, s->type);
  port = tl__peer_port(fd);
  for (int i = 0; i < tl__nchan; i++)
    if (tl__chans[i].port == port) chan = tl__chans[i].chan;
  if (!chan && tl_trace_global) chan = tl_trace_new_id(tl_trace_global);
  tl__describe(c, "accepted", chan);
  tl__push_addr(L, &ss);
  return 2;
}

static int f_connect(lua_State *L) {
  tl_sock *s = tl__check(L);
  struct sockaddr_storage ss;
  socklen_t len = tl__get_addr(L, s, 2, &ss, "connect");
  int err = 0;
  socklen_t elen = sizeof err;
  tl__fd(L, s);
  tl__autobind(s);
  if (connect(s->fd, (struct sockaddr *)&ss, len) != 0) {
    if (errno != EINPROGRESS && errno != EINTR) return tl_io_raise_errno(L, errno);
    tl__sock_wait(L, s, POLLOUT, EINPROGRESS);
    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0) err = errno;
    if (err) return tl_io_raise_errno(L, err);
  }
  if (s->type == SOCK_STREAM) {
    uint32_t chan = tl_trace_global ? tl_trace_new_id(tl_trace_global) : 0;
    tl__chans[tl__nchan % TL__NCHAN].port = tl__local_port(s->fd);
    tl__chans[tl__nchan % TL__NCHAN].chan = chan;
    tl__nchan = tl__nchan < TL__NCHAN ? tl__nchan + 1 : TL__NCHAN;
    tl__describe(s, "to", chan);
  } else {
    tl__describe(s, "to", 0);
  }
  tl_io_set_ports(s->fd, -1, tl__peer_port(s->fd));
  tl_io_settle(tl_io_listener(tl__peer_port(s->fd)), POLLIN, NULL, 0);
  tl_io_changed(s->fd); /* the listener has one to accept */
  return 0;
}

/* How many bytes wait unread at fd (TCP). */
static long tl__unread(int fd) {
  int q = 0;
  return ioctl(fd, FIONREAD, &q) == 0 ? q : 0;
}

static int tl__has(int fd, long want) { return tl__unread(fd) >= want; }

/* One call for tl_io_nogil: a recv, or the rest of a sendall. */
struct tl__call {
  tl_sock *s;
  char *p;
  size_t n, done;
  struct sockaddr_storage *from;
  socklen_t len;
};

/* (MSG_DONTWAIT on every call but a recv's wait: the file may be blocking
 * in the kernel, TL_IO_KERNEL_WAIT) */
static ssize_t tl__recv_fn(void *arg, int wait) {
  struct tl__call *c = arg;
  return recvfrom(c->s->fd, c->p, c->n, wait ? 0 : MSG_DONTWAIT, (struct sockaddr *)c->from,
                  c->from ? &c->len : NULL);
}

static ssize_t tl__sendall_fn(void *arg, int wait) {
  struct tl__call *c = arg;
  (void)wait;
  while (c->done < c->n) {
    ssize_t r = send(c->s->fd, c->p + c->done, c->n - c->done, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (r < 0) return -1;
    c->done += (size_t)r;
  }
  return (ssize_t)c->done;
}

/* The real clock's blocking calls (tl_io_nogil), for the errors they end with. */
static void tl__nogil_raise(lua_State *L, int err) {
  if (err == ETIMEDOUT) tl_raise(L, "TimeoutError", "timed out");
  tl_io_raise_errno(L, err);
}

static int tl__send(lua_State *L, tl_sock *s, const char *p, size_t n,
                    const struct sockaddr_storage *to, socklen_t tolen) {
  ssize_t r;
  int peer = -1;
  long q0 = 0;
  tl__fd(L, s);
  if (TL_VIRTUAL() && s->type == SOCK_STREAM && (peer = tl_io_peer(s->fd)) >= 0) q0 = tl__unread(peer);
  for (;;) {
    r = sendto(s->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT, (const struct sockaddr *)to, tolen);
    if (r >= 0) break;
    if (errno == EINTR) continue;
    if (errno != EAGAIN) return tl_io_raise_errno(L, errno);
    tl__sock_wait(L, s, POLLOUT, errno);
  }
  if (r > 0) {
    tl_io_settle(peer, POLLIN, tl__has, q0 + (long)r);
    tl_io_note(s->fd, 1, (size_t)r);
  }
  return (int)r;
}

static int f_send(lua_State *L) {
  tl_sock *s = tl__check(L);
  size_t n;
  const char *p = luaL_checklstring(L, 2, &n);
  lua_pushinteger(L, tl__send(L, s, p, n, NULL, 0));
  return 1;
}

static int f_sendall(lua_State *L) {
  tl_sock *s = tl__check(L);
  size_t n, done = 0;
  const char *p = luaL_checklstring(L, 2, &n);
  if (n && s->type == SOCK_STREAM && tl_io_nogil_ok(s->timeout)) {
    /* The write is in the trace before the GIL goes: a reader the send
     * wakes may take the GIL and say it is ready before this call returns,
     * and its arrow starts at the last write. (On an error the bytes sent
     * are fewer, and the call raises.) */
    struct tl__call c = {s, (char *)p, n, 0, NULL, 0};
    tl__fd(L, s);
    tl_io_note(s->fd, 1, n);
    if (tl_io_nogil(L, s->fd, POLLOUT, s->timeout, tl__sendall_fn, &c, 0) < 0) tl__nogil_raise(L, errno);
    return 0;
  }
  while (done < n) done += (size_t)tl__send(L, s, p + done, n - done, NULL, 0);
  return 0;
}

static int f_sendto(lua_State *L) {
  tl_sock *s = tl__check(L);
  size_t n;
  const char *p = luaL_checklstring(L, 2, &n);
  struct sockaddr_storage ss;
  socklen_t len = tl__get_addr(L, s, 3, &ss, "sendto");
  tl__fd(L, s);
  tl__autobind(s);
  lua_pushinteger(L, tl__send(L, s, p, n, &ss, len));
  return 1;
}

static int tl__recv(lua_State *L, tl_sock *s, lua_Integer n, struct sockaddr_storage *from) {
  luaL_Buffer b;
  socklen_t len = sizeof *from;
  char *p;
  ssize_t r;
  if (n < 0) return tl_raise(L, "ValueError", "negative buffersize in recv");
  tl__fd(L, s);
  p = luaL_buffinitsize(L, &b, (size_t)n);
  if (tl_io_nogil_ok(s->timeout)) {
    struct tl__call c = {s, p, (size_t)n, 0, from, len};
    if ((r = tl_io_nogil(L, s->fd, POLLIN, s->timeout, tl__recv_fn, &c, TL_IO_KERNEL_WAIT)) < 0)
      tl__nogil_raise(L, errno);
    if (r > 0) tl_io_note(s->fd, 0, (size_t)r);
    luaL_pushresultsize(&b, (size_t)r);
    return 1;
  }
  for (;;) {
    r = recvfrom(s->fd, p, (size_t)n, MSG_DONTWAIT, (struct sockaddr *)from, from ? &len : NULL);
    if (r >= 0) break;
    if (errno == EINTR) continue;
    if (errno != EAGAIN) return tl_io_raise_errno(L, errno);
    tl__sock_wait(L, s, POLLIN, errno);
  }
  if (r > 0) tl_io_note(s->fd, 0, (size_t)r);
  luaL_pushresultsize(&b, (size_t)r);
  return 1;
}

static int f_recv(lua_State *L) {
  return tl__recv(L, tl__check(L), luaL_checkinteger(L, 2), NULL);
}

static int f_recvfrom(lua_State *L) {
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  tl__recv(L, tl__check(L), luaL_checkinteger(L, 2), &ss);
  tl__push_addr(L, &ss);
  return 2;
}

static int f_setblocking(lua_State *L) {
  tl_sock *s = tl__check(L);
  luaL_checkany(L, 2);
  s->timeout = lua_toboolean(L, 2) ? -1 : 0;
  return 0;
}

static int f_getblocking(lua_State *L) {
  lua_pushboolean(L, tl__check(L)->timeout != 0);
  return 1;
}

static int f_settimeout(lua_State *L) {
  tl_sock *s = tl__check(L);
  if (lua_isnoneornil(L, 2)) {
    s->timeout = -1;
  } else {
    double t = luaL_checknumber(L, 2);
    if (!(t >= 0)) return tl_raise(L, "ValueError", "Timeout value out of range");
    s->timeout = t;
  }
  return 0;
}

static int f_gettimeout(lua_State *L) {
  tl_sock *s = tl__check(L);
  if (s->timeout < 0) lua_pushnil(L);
  else lua_pushnumber(L, s->timeout);
  return 1;
}

static int f_setsockopt(lua_State *L) {
  tl_sock *s = tl__check(L);
  int level = (int)luaL_checkinteger(L, 2), opt = (int)luaL_checkinteger(L, 3);
  int v = lua_isboolean(L, 4) ? lua_toboolean(L, 4) : (int)luaL_checkinteger(L, 4);
  if (setsockopt(tl__fd(L, s), level, opt, &v, sizeof v) != 0) return tl_io_raise_errno(L, errno);
  return 0;
}

static int f_getsockopt(lua_State *L) {
  tl_sock *s = tl__check(L);
  int level = (int)luaL_checkinteger(L, 2), opt = (int)luaL_checkinteger(L, 3), v = 0;
  socklen_t len = sizeof v;
  if (getsockopt(tl__fd(L, s), level, opt, &v, &len) != 0) return tl_io_raise_errno(L, errno);
  lua_pushinteger(L, v);
  return 1;
}

static int tl__name(lua_State *L, int peer) {
  tl_sock *s = tl__check(L);
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  memset(&ss, 0, sizeof ss);
  if ((peer ? getpeername : getsockname)(tl__fd(L, s), (struct sockaddr *)&ss, &len) != 0)
    return tl_io_raise_errno(L, errno);
  tl__push_addr(L, &ss);
  return 1;
}

static int f_getsockname(lua_State *L) { return tl__name(L, 0); }
static int f_getpeername(lua_State *L) { return tl__name(L, 1); }

int tl_sock_fileno(lua_State *L, int idx, lua_Integer *fd) {
  tl_sock *s = luaL_testudata(L, idx, TL_SOCK_MT);
  if (s) *fd = s->fd;
  return s != NULL;
}

static int f_fileno(lua_State *L) {
  lua_pushinteger(L, tl__check(L)->fd);
  return 1;
}

static int f_shutdown(lua_State *L) {
  tl_sock *s = tl__check(L);
  int how = (int)luaL_checkinteger(L, 2);
  if (shutdown(tl__fd(L, s), how) != 0) return tl_io_raise_errno(L, errno);
  if (how != SHUT_RD) tl_io_note_eof(s->fd);
  if (how != SHUT_RD) tl_io_settle(tl_io_peer(s->fd), POLLRDHUP, NULL, 0);
  tl_io_changed(s->fd);
  return 0;
}

/* close twice is harmless, as in Python */
static int f_close(lua_State *L) {
  tl_sock *s = tl__check(L);
  if (s->fd >= 0) {
    int peer = s->type == SOCK_STREAM ? tl_io_peer(s->fd) : -1;
    tl_io_changed(s->fd); /* the peer reads its end of file */
    if (tl_io_owned(s->fd)) {
      close(s->fd);
      tl_io_disown(s->fd);
    }
    s->fd = -1;
    tl_io_settle(peer, POLLRDHUP, NULL, 0);
  }
  return 0;
}

/* Collected unclosed: closed, as CPython does (it warns too). During
 * lua_close at :reset the world's table closes it instead. */
static int f_gc(lua_State *L) {
  tl_sock *s = luaL_checkudata(L, 1, TL_SOCK_MT);
  if (s->fd >= 0 && tl_W && tl_io_owned(s->fd)) {
    close(s->fd);
    tl_io_disown(s->fd);
  }
  s->fd = -1;
  return 0;
}

static int f_tostring(lua_State *L) {
  tl_sock *s = luaL_checkudata(L, 1, TL_SOCK_MT);
  lua_pushfstring(L, "<socket.socket fd=%d, family=%d, type=%d, proto=0", s->fd, s->family, s->type);
  if (s->fd >= 0) {
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(s->fd, (struct sockaddr *)&ss, &len) == 0 && tl__local_port(s->fd) > 0) {
      tl__push_addr(L, &ss);
      lua_pushfstring(L, ", laddr=%s", luaL_tolstring(L, -1, NULL));
      lua_replace(L, -3);
      lua_pop(L, 1);
      lua_concat(L, 2);
    }
    len = sizeof ss;
    if (getpeername(s->fd, (struct sockaddr *)&ss, &len) == 0) {
      tl__push_addr(L, &ss);
      lua_pushfstring(L, ", raddr=%s", luaL_tolstring(L, -1, NULL));
      lua_replace(L, -3);
      lua_pop(L, 1);
      lua_concat(L, 2);
    }
  } else {
    lua_pushliteral(L, " [closed]");
    lua_concat(L, 2);
  }
  lua_pushliteral(L, ">");
  lua_concat(L, 2);
  return 1;
}

static int f_index(lua_State *L) {
  tl_sock *s;
  const char *k;
  /* A method first, found by the key itself: every s:send(...) comes here
   * (a method reads no field of s, so s is checked only below). */
  lua_settop(L, 2);
  lua_pushvalue(L, 2);
  if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL) return 1;
  lua_settop(L, 2);
  s = luaL_checkudata(L, 1, TL_SOCK_MT);
  k = luaL_checkstring(L, 2);
  if (strcmp(k, "family") == 0) lua_pushinteger(L, s->family);
  else if (strcmp(k, "type") == 0) lua_pushinteger(L, s->type);
  else return tl_raise(L, "AttributeError", "'socket' object has no attribute '%s'", k);
  return 1;
}

int luaopen_tl_socket(lua_State *L) {
  static const luaL_Reg methods[] = {
    { "bind",        f_bind        },
    { "listen",      f_listen      },
    { "accept",      f_accept      },
    { "connect",     f_connect     },
    { "send",        f_send        },
    { "sendall",     f_sendall     },
    { "sendto",      f_sendto      },
    { "recv",        f_recv        },
    { "recvfrom",    f_recvfrom    },
    { "setblocking", f_setblocking },
    { "getblocking", f_getblocking },
    { "settimeout",  f_settimeout  },
    { "gettimeout",  f_gettimeout  },
    { "setsockopt",  f_setsockopt  },
    { "getsockopt",  f_getsockopt  },
    { "getsockname", f_getsockname },
    { "getpeername", f_getpeername },
    { "fileno",      f_fileno      },
    { "shutdown",    f_shutdown    },
    { "close",       f_close       },
    { NULL,          NULL          }
  };
  static const tl_int_const consts[] = {
    { "AF_INET", AF_INET }, { "AF_INET6", AF_INET6 },
    { "SOCK_STREAM", SOCK_STREAM }, { "SOCK_DGRAM", SOCK_DGRAM },
    { "SOL_SOCKET", SOL_SOCKET }, { "SO_REUSEADDR", SO_REUSEADDR },
    { "SO_REUSEPORT", SO_REUSEPORT }, { "SO_ERROR", SO_ERROR },
    { "SO_SNDBUF", SO_SNDBUF }, { "SO_RCVBUF", SO_RCVBUF },
    { "IPPROTO_TCP", IPPROTO_TCP }, { "TCP_NODELAY", TCP_NODELAY },
    { "SHUT_RD", SHUT_RD }, { "SHUT_WR", SHUT_WR }, { "SHUT_RDWR", SHUT_RDWR },
    { "SOMAXCONN", SOMAXCONN }
  };
  luaL_newmetatable(L, TL_ADDR_MT);
  lua_pushcfunction(L, f_addr_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pushcfunction(L, f_addr_eq);
  lua_setfield(L, -2, "__eq");
  lua_pop(L, 1);
  luaL_newmetatable(L, TL_SOCK_MT);
  luaL_newlib(L, methods);
  lua_pushcclosure(L, f_index, 1);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, f_gc);
  lua_setfield(L, -2, "__gc");
  lua_pushcfunction(L, f_close);
  lua_setfield(L, -2, "__close");
  lua_pushcfunction(L, f_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pop(L, 1);
  lua_createtable(L, 0, 24);
  lua_pushcfunction(L, f_socket);
  lua_setfield(L, -2, "socket");
  tl_set_ints(L, consts, sizeof consts / sizeof *consts);
  /* socket.timeout is TimeoutError and socket.error is OSError (3.10+) */
  lua_getglobal(L, "TimeoutError");
  lua_setfield(L, -2, "timeout");
  lua_getglobal(L, "OSError");
  lua_setfield(L, -2, "error");
  return 1;
}
