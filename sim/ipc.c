/* multiprocessing's C half for talking between processes (_ipc): pickling,
 * framed messages over socketpairs and pipes, semaphores and shared memory
 * in MAP_SHARED pages that forked children inherit. Every wait releases the
 * GIL (the virtual clock: the baton) and is cut short by cancellation. */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <lauxlib.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "io.h"
#include "locks.h"
#include "mpgraph.h"
#include "pickle.h"

#define TL__SEM_MT "threadlab.mp.semlock"
#define TL__SHM_MT "threadlab.mp.shm"

/* ---- waiting ------------------------------------------------------------ */

/* Waits until ready() says yes or the timeout (seconds, <0: none) passes,
 * giving up the GIL meanwhile; in slices, so Ctrl-C and :reset reach it.
 * Under the virtual clock the baton goes to the other threads, and the
 * token to the other processes, for a virtual millisecond at a time.
 * Returns 1 ready, 0 timed out. */
typedef int (*tl__ready_fn)(void *arg, int slice_ms);
/* tl__ipc_wait's flags: the caller just found it not ready; spin a moment
 * before sleeping (a descriptor: a peer process often answers within
 * microseconds, and waking a sleeping CPU costs more on a virtual
 * machine; not on the virtual clock, whose waits are looks at the baton) */
#define TL__TRIED 1
#define TL__SPIN 2
/* The name of what the current call waits on, for the hang report (the
 * Lua half passes it: "mp.Queue-3", "Pipe-5"). */
static _Thread_local const char *tl__hang_name;

/* Alone in the run: a message nobody sent for this much virtual time,
 * while the wait had no timeout, is taken for one that never comes: a
 * hang, reported naming what it waited on. */
#define TL__VHANG_NS (60ull * 1000000000ull)

static int tl__ipc_wait(lua_State *L, tl__ready_fn ready, void *arg, double timeout, const void *obj,
                        int flags) {
  tl_thread *self = tl__self;
  int virt = TL_VIRTUAL();
  /* a timeout runs on the run's clock: virtual seconds on the virtual one */
  uint64_t wall_end = timeout >= 0 && !virt ? tl_now_ns() + (uint64_t)(timeout * 1e9) : 0;
  uint64_t vend = timeout >= 0 && virt ? tl_deadline_in(timeout) : 0;
  uint64_t v0 = tl_clock_now(), t0 = 0, waited = 0;
  int r = 0, cancelled = 0, hang = 0, spin = (flags & TL__SPIN) && !virt;
  if (!(flags & TL__TRIED) && ready(arg, 0)) return 1;
  if (timeout == 0) return 0;
  tl_mutex_lock(&tl_W->mu);
  TL_ALLOW_THREADS_BEGIN(self); /* (on the virtual clock too: the wait is drawn off the GIL) */
  for (;;) {
    int slice = 20;
    if (self->cancel) {
      cancelled = 1;
      break;
    }
    if (vend && tl_clock_now() >= vend) break;
    if (wall_end) {
      uint64_t now = tl_now_ns();
      if (now >= wall_end) break;
      if ((wall_end - now) / 1000000 < (uint64_t)slice) slice = (int)((wall_end - now) / 1000000) + 1;
    }
    if (virt) {
      uint64_t tick = tl_deadline_in(0.001); /* a look every virtual millisecond */
      int e;
      /* alone in the run, a message nobody sent for a virtual minute is
       * taken for one that never comes; with other processes, their
       * scheduler tells (vhang) when every process is stuck */
      if (timeout < 0 && !tl_vp_on() && tl_clock_now() - v0 > TL__VHANG_NS) {
        hang = 1;
        break;
      }
      self->vpoll = !vend; /* (a wait with a timeout ends: never stuck) */
      e = tl__v_wait(self, TL_WAIT_INPUT, obj, vend && vend < tick ? vend : tick);
      self->vpoll = 0;
      if (self->vhang) {
        self->vhang = 0;
        hang = 2;
        break;
      }
      if (e == ECANCELED) {
        cancelled = 1;
        break;
      }
      slice = 0;
    }
    tl_mutex_unlock(&tl_W->mu);
    if (spin) {
      t0 = tl_now_ns();
      r = tl__spin_learnt(ready, arg) > 0;
      spin = 0;
    }
    if (!r) r = ready(arg, slice);
    if (r && virt) tl_vp_progress();
    tl_mutex_lock(&tl_W->mu);
    if (r) break;
  }
  if (t0) waited = r ? tl_now_ns() - t0 : TL_SPIN_WORTH_NS; /* (before the GIL's wait) */
  TL_ALLOW_THREADS_END(self);
  tl_mutex_unlock(&tl_W->mu);
  if (t0) tl__spin_learn(waited);
  if (cancelled) tl_check_cancel(L);
  if (hang) {
    if (hang == 2)
      return tl_raise_hang(L, "hang across processes: %s waits on %s, and every process of the "
                           "run waits for another: nothing can ever send it", self->name,
                           tl__hang_name ? tl__hang_name : "a pipe");
    return tl_raise_hang(L, "hang: %s waits on %s for a message no process sent in 60 virtual "
                         "seconds", self->name, tl__hang_name ? tl__hang_name : "a pipe");
  }
  return r;
}

struct tl__fdwait {
  int fd;
  short events;
};

static int tl__fd_ready(void *arg, int slice_ms) {
  struct tl__fdwait *w = arg;
  struct pollfd p = {w->fd, w->events, 0};
  return poll(&p, 1, slice_ms) > 0;
}

static int tl__wait_fd_tried(lua_State *L, int fd, short events, double timeout) {
  struct tl__fdwait w = {fd, events};
  return tl__ipc_wait(L, tl__fd_ready, &w, timeout, (const void *)(intptr_t)(fd + 1),
                      TL__TRIED | TL__SPIN);
}

static int tl__wait_fd(lua_State *L, int fd, short events, double timeout) {
  struct tl__fdwait w = {fd, events};
  return tl__ipc_wait(L, tl__fd_ready, &w, timeout, (const void *)(intptr_t)(fd + 1), TL__SPIN);
}

/* ---- pickling ----------------------------------------------------------- */

static int tl__dumps_error(lua_State *L, int r, const char *err) {
  if (r == -2) return tl_raise(L, "RecursionError", "%s", err);
  if (r == -4) return tl_raise(L, "RuntimeError", "%s", err);
  return tl_raise(L, "PicklingError", "%s", err);
}

static int f_dumps(lua_State *L) {
  char err[600];
  int r;
  lua_settop(L, 2);
  r = tl_pickle_dumps(L, 1, luaL_optstring(L, 2, "obj"), err, sizeof err);
  if (r < 0) return tl__dumps_error(L, r, err);
  return 1;
}

static int f_loads(lua_State *L) {
  size_t n;
  const char *s = luaL_checklstring(L, 1, &n);
  char err[600];
  int r = tl_pickle_loads(L, s, n, err, sizeof err);
  if (r == -3) return tl_raise(L, "AttributeError", "%s", err);
  if (r < 0) return tl_raise(L, "UnpicklingError", "%s", err);
  return 1;
}

/* ---- framed messages ------------------------------------------------------ */

/* Non-blocking (a wait is a poll without the GIL) and in the program's
 * table of descriptors, so that :reset closes it as it closes os.pipe's. */
static void tl__nonblock(int fd) {
  tl_io_own(fd, 0);
}

static int f_socketpair(lua_State *L) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
    return tl_raise(L, "OSError", "[Errno %d] %s", errno, strerror(errno));
  tl__nonblock(sv[0]);
  tl__nonblock(sv[1]);
  lua_pushinteger(L, sv[0]);
  lua_pushinteger(L, sv[1]);
  return 2;
}

static int f_pipe(lua_State *L) {
  int fd[2];
  if (pipe(fd) < 0) return tl_raise(L, "OSError", "[Errno %d] %s", errno, strerror(errno));
  tl__nonblock(fd[0]);
  tl__nonblock(fd[1]);
  lua_pushinteger(L, fd[0]);
  lua_pushinteger(L, fd[1]);
  return 2;
}

static int tl__write_all(lua_State *L, int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w > 0) {
      p += w;
      n -= (size_t)w;
    } else if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
      tl__wait_fd(L, fd, POLLOUT, -1);
    } else {
      if (errno == EPIPE) return tl_raise(L, "BrokenPipeError", "[Errno 32] Broken pipe");
      return tl_raise(L, "OSError", "[Errno %d] %s", errno, strerror(errno));
    }
  }
  return 0;
}

/* send(fd, bytes, tag): an 8-byte length, an 8-byte tag (what the trace
 * needs to draw the put -> get arrow: the item's serial and its putter),
 * then the bytes. */
#define TL__HEAD 16
static void tl__send_frame(lua_State *L, int fd, const char *s, size_t n, uint64_t tag) {
  uint64_t head[2] = {n, tag};
  if (n < 4096) { /* one write: a small message is never torn */
    char buf[4096 + TL__HEAD];
    memcpy(buf, head, TL__HEAD);
    memcpy(buf + TL__HEAD, s, n);
    tl__write_all(L, fd, buf, n + TL__HEAD);
  } else {
    tl__write_all(L, fd, (const char *)head, TL__HEAD);
    tl__write_all(L, fd, s, n);
  }
}

static int f_send(lua_State *L) {
  size_t n;
  const char *s = luaL_checklstring(L, 2, &n);
  tl__send_frame(L, (int)luaL_checkinteger(L, 1), s, n, (uint64_t)luaL_optinteger(L, 3, 0));
  return 0;
}

/* send_obj(fd, obj, tag, root, soft): pickles and sends in one step, the
 * bytes never a Lua string. What cannot be pickled raises as dumps does
 * (nothing is sent), or with soft returns false. */
static int f_send_obj(lua_State *L) {
  int fd = (int)luaL_checkinteger(L, 1);
  uint64_t tag = (uint64_t)luaL_optinteger(L, 3, 0);
  const char *root = luaL_optstring(L, 4, "obj"), *p;
  int soft = lua_toboolean(L, 5), r;
  char err[600];
  size_t n;
  lua_settop(L, 2);
  r = tl_pickle_dumps_view(L, 2, root, err, sizeof err, &p, &n);
  if (r < 0) {
    if (soft) {
      lua_pushboolean(L, 0);
      return 1;
    }
    return tl__dumps_error(L, r, err);
  }
  tl__send_frame(L, fd, p, n, tag);
  tl_pickle_trim();
  lua_pushboolean(L, 1);
  return 1;
}

/* Reads exactly n bytes; 0 at a clean EOF before the first byte. */
static int tl__read_all(lua_State *L, int fd, char *p, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, p + got, n - got);
    if (r > 0) {
      got += (size_t)r;
    } else if (r == 0) {
      if (got == 0) return 0;
      return tl_raise(L, "EOFError", "the connection closed in the middle of a message");
    } else if (errno == EAGAIN || errno == EINTR) {
      tl__wait_fd(L, fd, POLLIN, -1);
    } else {
      return tl_raise(L, "OSError", "[Errno %d] %s", errno, strerror(errno));
    }
  }
  return 1;
}

/* recv(fd, timeout, name, channel): the bytes of one message and its tag,
 * nil at EOF, false when the timeout passes first. It reads at once (the
 * descriptor does not block) and waits only when nothing is there: then,
 * given the channel's object id, it first traces a blocked get. One read
 * for the head and one for the body, as CPython's Connection. */
static int f_recv(lua_State *L) {
  int fd = (int)luaL_checkinteger(L, 1);
  double timeout = luaL_optnumber(L, 2, -1);
  uint32_t chan = (uint32_t)luaL_optinteger(L, 4, 0);
  uint64_t head[2], len;
  char *buf;
  ssize_t r;
  tl__hang_name = luaL_optstring(L, 3, NULL);
  while ((r = read(fd, head, TL__HEAD)) < 0 && errno == EINTR) {
  }
  if (r < 0) {
    if (errno != EAGAIN) return tl_raise(L, "OSError", "[Errno %d] %s", errno, strerror(errno));
    if (timeout == 0) {
      lua_pushboolean(L, 0);
      return 1;
    }
    if (chan) tl_emit(TL_EV_QUEUE_BLOCK, 0, chan, 0);
    if (!tl__wait_fd_tried(L, fd, POLLIN, timeout)) {
      lua_pushboolean(L, 0);
      return 1;
    }
    if (!tl__read_all(L, fd, (char *)head, TL__HEAD)) {
      lua_pushnil(L);
      return 1;
    }
  } else if (r == 0) {
    lua_pushnil(L);
    return 1;
  } else if (r < TL__HEAD && !tl__read_all(L, fd, (char *)head + r, TL__HEAD - (size_t)r)) {
    return tl_raise(L, "EOFError", "the connection closed in the middle of a message");
  }
  len = head[0];
  if (len > ((uint64_t)1 << 40)) return tl_raise(L, "OSError", "bad message length %llu", (unsigned long long)len);
  if (len <= 4096) { /* small: no userdata to collect later */
    char small[4096];
    if (len && !tl__read_all(L, fd, small, len))
      return tl_raise(L, "EOFError", "the connection closed in the middle of a message");
    lua_pushlstring(L, small, len);
  } else {
    buf = lua_newuserdatauv(L, len, 0);
    if (!tl__read_all(L, fd, buf, len))
      return tl_raise(L, "EOFError", "the connection closed in the middle of a message");
    lua_pushlstring(L, buf, len);
  }
  lua_pushinteger(L, (lua_Integer)head[1]);
  return 2;
}

static int f_poll(lua_State *L) {
  int fd = (int)luaL_checkinteger(L, 1);
  double timeout = luaL_optnumber(L, 2, 0);
  lua_pushboolean(L, tl__wait_fd(L, fd, POLLIN, timeout));
  return 1;
}

static int f_close(lua_State *L) {
  int fd = (int)luaL_checkinteger(L, 1);
  tl_io_disown(fd);
  close(fd);
  return 0;
}

/* ---- a listening socket, for the Manager's server ----------------------- */

/* An abstract-namespace Unix socket (no file to clean up), named by the
 * pid and a counter: what a proxy carries to reach its server from any
 * process, as CPython's manager address. */
static int tl__unix_addr(struct sockaddr_un *a, const char *name, size_t n) {
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  if (n + 1 > sizeof a->sun_path) n = sizeof a->sun_path - 1;
  memcpy(a->sun_path + 1, name, n); /* sun_path[0] = 0: abstract */
  return (int)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

/* listen() -> fd, address */
static int f_listen(lua_State *L) {
  static int counter;
  struct sockaddr_un a;
  char name[64];
  int fd = socket(AF_UNIX, SOCK_STREAM, 0), len;
  if (fd < 0) return tl_raise(L, "OSError", "[Errno %d] %s", errno, strerror(errno));
  snprintf(name, sizeof name, "threadlab-manager-%d-%d", (int)getpid(), ++counter);
  len = tl__unix_addr(&a, name, strlen(name));
  if (bind(fd, (struct sockaddr *)&a, (socklen_t)len) < 0 || listen(fd, 64) < 0) {
    int e = errno;
    close(fd);
    return tl_raise(L, "OSError", "[Errno %d] %s", e, strerror(e));
  }
  tl__nonblock(fd);
  lua_pushinteger(L, fd);
  lua_pushstring(L, name);
  return 2;
}

/* accept(fd) -> a connection's fd; waits without the GIL, interruptibly */
static int f_accept(lua_State *L) {
  int fd = (int)luaL_checkinteger(L, 1), c;
  for (;;) {
    c = accept(fd, NULL, NULL);
    if (c >= 0) break;
    if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
      return tl_raise(L, "OSError", "[Errno %d] %s", errno, strerror(errno));
    tl__wait_fd(L, fd, POLLIN, -1);
  }
  tl__nonblock(c);
  lua_pushinteger(L, c);
  return 1;
}

/* connect(address) -> fd */
static int f_connect(lua_State *L) {
  size_t n;
  const char *name = luaL_checklstring(L, 1, &n);
  struct sockaddr_un a;
  int len = tl__unix_addr(&a, name, n);
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) return tl_raise(L, "OSError", "[Errno %d] %s", errno, strerror(errno));
  if (connect(fd, (struct sockaddr *)&a, (socklen_t)len) < 0) {
    int e = errno;
    close(fd);
    if (e == ECONNREFUSED || e == ENOENT)
      return tl_raise(L, "ConnectionRefusedError", "[Errno %d] %s: the manager has shut down", e,
                      strerror(e));
    return tl_raise(L, "OSError", "[Errno %d] %s", e, strerror(e));
  }
  tl__nonblock(fd);
  lua_pushinteger(L, fd);
  return 1;
}

/* ---- semaphores in shared memory (CPython's SemLock) --------------------- */

enum { TL__SEMAPHORE = 0, TL__RECURSIVE = 1 };

/* No condition variable in the shared page: glibc's keeps its waiters in
 * it, and one killed while waiting (terminate()) leaves pthread_cond_signal
 * waiting for it for ever. A waiter sleeps on a futex word instead, which
 * holds nothing of it. */
typedef struct tl__semlock {
  pthread_mutex_t mu;
  uint32_t seq;          /* bumped by each release: the futex word */
  uint32_t sleepers;     /* about how many sleep on it (one killed asleep
                          * stays counted: a wake call too many, no more) */
  int kind, value, maxvalue;
  int owner_pid;         /* RLock: who holds it, and how often */
  uint32_t owner_tid;
  int count;
  int gslot;             /* a Lock or RLock of the wait-for graph
                          * (mpgraph.c): its slot there; else -1 */
} tl__semlock;

typedef struct {
  tl__semlock *s;
  int fd; /* its memfd, for a spawned child (-1: anonymous) */
} tl__semref;

/* Shared memory for one object (see tl_shared_map): from fd when one is
 * given. */
static void *tl__shared_map(size_t bytes, int *fd) { return tl_shared_map("threadlab-ipc", bytes, fd); }

/* The metatables of this state's semaphores and shared arrays, so the
 * check on every call (several per queue item) is a pointer compare, not
 * luaL_checkudata's lookup by name; anything else takes that path. */
static const void *tl__sem_mt, *tl__shm_mt;

static void *tl__checkud(lua_State *L, const void *mt, const char *name) {
  void *p = lua_touserdata(L, 1);
  if (p && lua_getmetatable(L, 1)) {
    int same = lua_topointer(L, -1) == mt;
    lua_pop(L, 1);
    if (same) return p;
  }
  return luaL_checkudata(L, 1, name);
}

static tl__semlock *tl__checksem(lua_State *L) {
  return ((tl__semref *)tl__checkud(L, tl__sem_mt, TL__SEM_MT))->s;
}

static int tl__sem_gc(lua_State *L) {
  tl__semref *r = luaL_checkudata(L, 1, TL__SEM_MT);
  if (r->s && r->s->gslot >= 0) tl__mpg_forget(r->s->gslot);
  if (r->s) munmap(r->s, sizeof *r->s);
  if (r->fd >= 0) close(r->fd);
  r->s = NULL;
  r->fd = -1;
  return 0;
}

/* semlock(kind, value, maxvalue, graph, name) -> semaphore, name: graph
 * true makes a Lock or RLock of the wait-for graph, traced, named name
 * (or "mp.Lock-<id>"). */
static int f_semlock(lua_State *L) {
  int kind = (int)luaL_checkinteger(L, 1), value = (int)luaL_checkinteger(L, 2);
  int maxvalue = (int)luaL_optinteger(L, 3, 0x7fffffff);
  int graph = lua_toboolean(L, 4);
  const char *name = luaL_optstring(L, 5, NULL);
  tl__semref *r = lua_newuserdatauv(L, sizeof *r, 0);
  r->s = NULL;
  r->fd = -1;
  luaL_setmetatable(L, TL__SEM_MT);
  if (!(r->s = tl__shared_map(sizeof *r->s, &r->fd)))
    return tl_raise(L, "OSError", "[Errno %d] %s", errno, strerror(errno));
  tl_shared_mutex_init(&r->s->mu);
  r->s->kind = kind;
  r->s->value = value;
  r->s->maxvalue = maxvalue;
  r->s->gslot = -1;
  if (graph) {
    char shown[48];
    uint32_t id;
    r->s->gslot = tl__mpg_new(kind == TL__RECURSIVE ? TL_OBJ_MP_RLOCK : TL_OBJ_MP_LOCK, name,
                              &id, shown, sizeof shown);
    lua_pushstring(L, shown);
    return 2;
  }
  return 1;
}

/* Its mutex is robust: a process killed while it held it (terminate() in
 * the middle of an acquire or a release) hands it to the next taker
 * instead of leaving every other process stuck in pthread_mutex_lock,
 * past its timeout and Ctrl-C. What it guards are a few words, each
 * written whole: taken over as they are. */
static void tl__sem_lock(tl__semlock *s) {
  if (pthread_mutex_lock(&s->mu) == EOWNERDEAD) pthread_mutex_consistent(&s->mu);
}

static int tl__sem_mine(tl__semlock *s) {
  return s->count > 0 && s->owner_pid == getpid() && s->owner_tid == (tl__self ? tl__self->id : 0);
}

/* With s->mu held: takes it if it is free. */
static int tl__sem_take_locked(tl__semlock *s) {
  if (s->value <= 0) return 0;
  s->value--;
  if (s->kind == TL__RECURSIVE) {
    s->owner_pid = getpid();
    s->owner_tid = tl__self ? tl__self->id : 0;
    s->count = 1;
  }
  if (s->gslot >= 0) tl__mpg_took(s->gslot);
  return 1;
}

static int tl__sem_take(tl__semlock *s) {
  int got;
  tl__sem_lock(s);
  got = tl__sem_take_locked(s);
  pthread_mutex_unlock(&s->mu);
  return got;
}

/* Takes it, or sleeps up to slice_ms for a release and tries once more.
 * seq is read before the first try: a release between the try and the
 * sleep has changed it, and the futex returns at once. */
static int tl__sem_try(void *arg, int slice_ms) {
  tl__semlock *s = arg;
  uint32_t seq = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
  struct timespec ts = {slice_ms / 1000, (long)(slice_ms % 1000) * 1000000L};
  if (tl__sem_take(s)) return 1;
  if (slice_ms <= 0) return 0;
  __atomic_fetch_add(&s->sleepers, 1, __ATOMIC_SEQ_CST);
  syscall(SYS_futex, &s->seq, FUTEX_WAIT, seq, &ts, NULL, 0);
  __atomic_fetch_sub(&s->sleepers, 1, __ATOMIC_SEQ_CST);
  return tl__sem_take(s);
}

/* ---- a Lock or RLock of the wait-for graph (mpgraph.c) ------------------ */

/* The ready test of its wait: taken (1), or told that a cycle someone
 * closed holds this thread (2; nothing taken). */
static int tl__graph_try(void *arg, int slice_ms) {
  const char *msg;
  if (tl__sem_try(arg, slice_ms)) return 1;
  return tl__mpg_told(&msg) ? 2 : 0;
}

struct tl__gwait {
  tl__semlock *s;
  double timeout;
  int stuck; /* known deadlocked: waits on, for a release from outside */
  int r;
};

static int tl__graph_wait(lua_State *L) {
  struct tl__gwait *g = lua_touserdata(L, 1);
  g->r = tl__ipc_wait(L, g->stuck ? tl__sem_try : tl__graph_try, g->s, g->timeout, g->s, TL__TRIED);
  return 0;
}

/* As threading's Lock: an untimed wait is an edge of the graph; the thread
 * that closes a cycle finds it, and every MainThread in it raises
 * DeadlockError (each in its own process); another thread stays deadlocked
 * (deadlock.c). The rest waits as any semaphore does. */
static int tl__graph_acquire(lua_State *L, tl__semlock *s, double timeout) {
  uint32_t id = tl__mpg_id(s->gslot);
  struct tl__gwait g = {s, timeout, 0, 0};
  char msg[2048];
  const char *told;
  uint32_t mine[64];
  int cycle = 0, main_in = 0, queued = 0, status, nmine = 0;
  if (tl__sem_try(s, 0)) {
    tl_emit(TL_EV_LOCK_ACQUIRE, 0, id, 0);
    lua_pushboolean(L, 1);
    return 1;
  }
  if (timeout == 0) {
    lua_pushboolean(L, 0);
    return 1;
  }
  tl_emit(TL_EV_LOCK_REQUEST, 0, id, 0);
  if (timeout < 0) {
    int got;
    tl__mpg_lock();
    tl__sem_lock(s);
    if (!(got = tl__sem_take_locked(s))) tl__mpg_enqueue(s->gslot), queued = 1;
    pthread_mutex_unlock(&s->mu);
    if (queued) cycle = tl__mpg_walk(msg, sizeof msg, &main_in, mine, &nmine);
    tl__mpg_unlock();
    if (got) {
      tl_emit(TL_EV_LOCK_ACQUIRE, 0, id, 0);
      lua_pushboolean(L, 1);
      return 1;
    }
  }
  for (;;) {
    if (cycle || (g.r == 2 && tl__mpg_told(&told))) {
      int how;
      if (!cycle) snprintf(msg, sizeof msg, "%s", told);
      if ((how = tl__deadlock_mp(msg, mine, cycle ? nmine : 0)) == 1) { /* MainThread */
        tl__mpg_dequeue();
        tl_emit(TL_EV_LOCK_TIMEOUT, 0, id, 0);
        return tl_raise(L, "DeadlockError", "%s", msg);
      }
      if (cycle && !main_in && how == 0) { /* nobody raises: say it */
        char out[2100];
        snprintf(out, sizeof out, "threadlab: deadlock: %s\n", msg);
        tl_write_out(1, out, strlen(out));
      }
      g.stuck = 1;
      cycle = 0;
    }
    g.r = 0;
    /* told already: it waits on for help from outside, in timed rounds,
     * never taken for a hang across processes */
    g.timeout = g.stuck && timeout < 0 ? 30 : timeout;
    lua_pushcfunction(L, tl__graph_wait);
    lua_pushlightuserdata(L, &g);
    status = lua_pcall(L, 1, 0, 0);
    if (status != LUA_OK || g.r == 1 || (g.r == 0 && !(g.stuck && timeout < 0))) break;
  }
  if (queued) tl__mpg_dequeue();
  if (g.stuck) { /* released from outside: no longer deadlocked */
    tl_mutex_lock(&tl_W->mu);
    tl__deadlock_thaw(tl__self);
    tl_mutex_unlock(&tl_W->mu);
  }
  tl_emit(g.r == 1 && status == LUA_OK ? TL_EV_LOCK_ACQUIRE : TL_EV_LOCK_TIMEOUT, 0, id, 0);
  if (status != LUA_OK) return lua_error(L);
  lua_pushboolean(L, g.r == 1);
  return 1;
}

/* acquire(block, timeout) -> got it */
static int f_sem_acquire(lua_State *L) {
  tl__semlock *s = tl__checksem(L);
  int block = lua_isnone(L, 2) || lua_toboolean(L, 2);
  double timeout = luaL_optnumber(L, 3, -1);
  if (s->kind == TL__RECURSIVE && tl__sem_mine(s)) {
    s->count++;
    lua_pushboolean(L, 1);
    return 1;
  }
  if (!block) timeout = 0;
  tl__hang_name = luaL_optstring(L, 4, NULL);
  if (s->gslot >= 0) return tl__graph_acquire(L, s, timeout);
  lua_pushboolean(L, tl__ipc_wait(L, tl__sem_try, s, timeout, s, 0));
  return 1;
}

static int f_sem_release(lua_State *L) {
  tl__semlock *s = tl__checksem(L);
  int graph = 0;
  if (s->kind == TL__RECURSIVE) {
    if (!tl__sem_mine(s)) return tl_raise(L, "AssertionError", "attempt to release recursive lock not owned by thread");
    if (--s->count > 0) return 0;
    s->owner_pid = 0;
  }
  tl__sem_lock(s);
  if (s->gslot >= 0 && tl__mpg_has_waiters(s->gslot)) {
    /* a walk may be reading this lock: the graph's mutex first */
    pthread_mutex_unlock(&s->mu);
    tl__mpg_lock();
    tl__sem_lock(s);
    graph = 1;
  }
  if (s->value >= s->maxvalue) {
    pthread_mutex_unlock(&s->mu);
    if (graph) tl__mpg_unlock();
    return tl_raise(L, "ValueError", "semaphore or lock released too many times");
  }
  s->value++;
  if (s->gslot >= 0) tl__mpg_freed(s->gslot);
  __atomic_fetch_add(&s->seq, 1, __ATOMIC_SEQ_CST);
  pthread_mutex_unlock(&s->mu);
  if (graph) tl__mpg_unlock();
  if (__atomic_load_n(&s->sleepers, __ATOMIC_SEQ_CST))
    syscall(SYS_futex, &s->seq, FUTEX_WAKE, 1, NULL, NULL, 0);
  if (s->gslot >= 0) tl_emit(TL_EV_LOCK_RELEASE, 0, tl__mpg_id(s->gslot), 0);
  return 0;
}

static int f_sem_value(lua_State *L) {
  lua_pushinteger(L, tl__checksem(L)->value);
  return 1;
}

static int f_sem_count(lua_State *L) {
  tl__semlock *s = tl__checksem(L);
  lua_pushinteger(L, s->kind == TL__RECURSIVE ? (tl__sem_mine(s) ? s->count : 0) : (s->value == 0));
  return 1;
}

static int f_sem_mine(lua_State *L) {
  lua_pushboolean(L, tl__sem_mine(tl__checksem(L)));
  return 1;
}

/* ---- shared memory ------------------------------------------------------- */

typedef struct {
  void *p;
  size_t n;     /* items */
  int isfloat;
  int fd;       /* its memfd, for a spawned child (-1: anonymous) */
} tl__shm;

static int tl__shm_gc(lua_State *L) {
  tl__shm *m = luaL_checkudata(L, 1, TL__SHM_MT);
  if (m->p) munmap(m->p, m->n * 8 + 8);
  if (m->fd >= 0) close(m->fd);
  m->p = NULL;
  m->fd = -1;
  return 0;
}

/* shm(n, isfloat[, fd]): n shared numbers; from fd (a spawned child's
 * copy of its parent's array) when one is given. */
static int f_shm(lua_State *L) {
  lua_Integer n = luaL_checkinteger(L, 1);
  int isfloat = lua_toboolean(L, 2), fd = (int)luaL_optinteger(L, 3, -1);
  tl__shm *m;
  if (n < 0 || n > (1 << 26)) return tl_raise(L, "ValueError", "bad shared array size %d", (int)n);
  m = lua_newuserdatauv(L, sizeof *m, 0);
  m->p = NULL;
  m->fd = fd;
  luaL_setmetatable(L, TL__SHM_MT);
  if (!(m->p = tl__shared_map((size_t)n * 8 + 8, &m->fd)))
    return tl_raise(L, "OSError", "[Errno %d] %s", errno, strerror(errno));
  m->n = (size_t)n;
  m->isfloat = isfloat;
  return 1;
}

/* sem_attach(fd): a spawned child's copy of its parent's semaphore. */
static int f_sem_attach(lua_State *L) {
  int fd = (int)luaL_checkinteger(L, 1);
  tl__semref *r = lua_newuserdatauv(L, sizeof *r, 0);
  r->s = NULL;
  r->fd = fd;
  luaL_setmetatable(L, TL__SEM_MT);
  if (!(r->s = tl__shared_map(sizeof *r->s, &r->fd)))
    return tl_raise(L, "OSError", "[Errno %d] %s", errno, strerror(errno));
  return 1;
}

/* handle(v) -> "semlock", fd | "shm", fd, n, isfloat | nil: what a
 * spawned child needs to map the same memory (nil: v is neither, or its
 * memory is anonymous). */
static int f_handle(lua_State *L) {
  void *p = lua_touserdata(L, 1);
  const void *mt = NULL;
  if (p && lua_getmetatable(L, 1)) {
    mt = lua_topointer(L, -1);
    lua_pop(L, 1);
  }
  if (mt == tl__sem_mt && ((tl__semref *)p)->fd >= 0) {
    lua_pushliteral(L, "semlock");
    lua_pushinteger(L, ((tl__semref *)p)->fd);
    return 2;
  }
  if (mt == tl__shm_mt && ((tl__shm *)p)->fd >= 0) {
    tl__shm *m = p;
    lua_pushliteral(L, "shm");
    lua_pushinteger(L, m->fd);
    lua_pushinteger(L, (lua_Integer)m->n);
    lua_pushboolean(L, m->isfloat);
    return 4;
  }
  return 0;
}

static size_t tl__shm_index(lua_State *L, tl__shm *m) {
  lua_Integer i = luaL_checkinteger(L, 2);
  if (i < 0 || (size_t)i >= m->n) tl_raise(L, "IndexError", "array index out of range");
  return (size_t)i;
}

/* The virtual clock: each access to shared memory is a switch point
 * between processes, so lost updates happen, and replay by seed. */
static void tl__shm_switch_point(void) {
  if (!tl_vp_on()) return;
  tl_mutex_lock(&tl_W->mu);
  tl_vp_switch_point();
  tl_mutex_unlock(&tl_W->mu);
}

/* Each access is one volatile load or store: a += 1 is a read, then a
 * write, with the other processes free to come between. */
static int f_shm_get(lua_State *L) {
  tl__shm *m = tl__checkud(L, tl__shm_mt, TL__SHM_MT);
  size_t i = tl__shm_index(L, m);
  tl__shm_switch_point();
  if (m->isfloat) lua_pushnumber(L, ((volatile double *)m->p)[i]);
  else lua_pushinteger(L, ((volatile int64_t *)m->p)[i]);
  return 1;
}

static int f_shm_set(lua_State *L) {
  tl__shm *m = tl__checkud(L, tl__shm_mt, TL__SHM_MT);
  size_t i = tl__shm_index(L, m);
  tl__shm_switch_point();
  if (m->isfloat) ((volatile double *)m->p)[i] = (double)luaL_checknumber(L, 3);
  else if (lua_isinteger(L, 3)) ((volatile int64_t *)m->p)[i] = (int64_t)lua_tointeger(L, 3);
  else return tl_raise(L, "TypeError", "'%s' object cannot be interpreted as an integer", luaL_typename(L, 3));
  return 0;
}

/* shm_add(m, i, delta) -> the value before: atomic across processes */
static int f_shm_add(lua_State *L) {
  tl__shm *m = tl__checkud(L, tl__shm_mt, TL__SHM_MT);
  size_t i = tl__shm_index(L, m);
  lua_pushinteger(L, __atomic_fetch_add(&((int64_t *)m->p)[i], (int64_t)luaL_checkinteger(L, 3),
                                        __ATOMIC_SEQ_CST));
  return 1;
}

int luaopen_tl_ipc(lua_State *L) {
  static const luaL_Reg lib[] = {
    { "dumps",       f_dumps       },
    { "loads",       f_loads       },
    { "socketpair",  f_socketpair  },
    { "pipe",        f_pipe        },
    { "send",        f_send        },
    { "send_obj",    f_send_obj    },
    { "recv",        f_recv        },
    { "poll",        f_poll        },
    { "close",       f_close       },
    { "listen",      f_listen      },
    { "accept",      f_accept      },
    { "connect",     f_connect     },
    { "semlock",     f_semlock     },
    { "sem_acquire", f_sem_acquire },
    { "sem_release", f_sem_release },
    { "sem_value",   f_sem_value   },
    { "sem_mine",    f_sem_mine    },
    { "sem_count",   f_sem_count   },
    { "shm",         f_shm         },
    { "shm_get",     f_shm_get     },
    { "shm_set",     f_shm_set     },
    { "shm_add",     f_shm_add     },
    { "sem_attach",  f_sem_attach  },
    { "handle",      f_handle      },
    { NULL,          NULL          }
  };
  /* a write to a closed peer is a BrokenPipeError, as in Python */
  signal(SIGPIPE, SIG_IGN);
  luaL_newmetatable(L, TL__SEM_MT);
  lua_pushcfunction(L, tl__sem_gc);
  lua_setfield(L, -2, "__gc");
  tl__sem_mt = lua_topointer(L, -1);
  lua_pop(L, 1);
  luaL_newmetatable(L, TL__SHM_MT);
  lua_pushcfunction(L, tl__shm_gc);
  lua_setfield(L, -2, "__gc");
  tl__shm_mt = lua_topointer(L, -1);
  lua_pop(L, 1);
  luaL_newlib(L, lib);
  return 1;
}
