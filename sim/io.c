/* Descriptors: os.pipe, read, write, close, set_blocking; the one wait for
 * readiness; the table of what the program opened.
 *
 * Every descriptor threadlab makes is non-blocking in the kernel, and a
 * "blocking" call is a loop of try / wait for readiness: so every blocking
 * call releases the GIL, can be cut short (Ctrl-C, :reset), and in the
 * virtual clock never stalls the scheduler in a system call. One
 * exception, in the real clock: a socket's recv with no timeout waits in
 * the recv itself, as CPython's does (TL_IO_KERNEL_WAIT, io.h), cut into
 * slices by a receive timeout; every other call on that socket says
 * MSG_DONTWAIT, or makes it non-blocking again first (tl_io_unblock). */
#include "io.h"

#include "engine.h"

#include <errno.h>
#include <fcntl.h>
#include <lauxlib.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- the table of descriptors ----------------------------------------- */

struct tl__fd {
  uint8_t own;      /* the program opened it */
  uint8_t nonblock; /* the program asked for non-blocking calls */
  uint8_t pipe_end; /* 1 read end, 2 write end */
  uint8_t kwait;    /* its file is blocking in the kernel (TL_IO_KERNEL_WAIT) */
  uint32_t chan;    /* both ends of one pipe share it (arrows) */
  char desc[72];    /* "socket 127.0.0.1:8080", "epoll" (for the trace) */
  uint16_t lport;   /* a listening socket: its port */
  uint16_t cport;   /* a connected socket: the port it connected to */
  uint64_t said;    /* its description in the trace's text (tl_io_said) */
  uint64_t said_gen; /* ... as of this trace generation */
  /* Bytes the trace says went out through it and came in (io-write and
   * io-read events, written under the GIL), and the other end of its pipe
   * or connection in this process (-1: none) as of other_epoch. */
  uint64_t wrote, got;
  int other;
  uint64_t other_epoch;
};

/* What an I/O waiter waits on (its wait_obj). */
struct tl__io_waiter {
  struct pollfd *fds;
  int n;
};
static struct tl__fd *tl__fds;
static int tl__nfds;
/* Bumped whenever a descriptor's description may change: the trace's
 * cached names of sets (tl__say_set) are then written anew. */
static uint64_t tl__desc_epoch;


static struct tl__fd *tl__slot(int fd, int grow) {
  if (fd < 0) return NULL;
  if (fd >= tl__nfds) {
    int n = tl__nfds ? tl__nfds : 64;
    struct tl__fd *m;
    if (!grow) return NULL;
    while (n <= fd) n *= 2;
    if (!(m = realloc(tl__fds, (size_t)n * sizeof *m))) return NULL;
    memset(m + tl__nfds, 0, (size_t)(n - tl__nfds) * sizeof *m);
    tl__fds = m;
    tl__nfds = n;
  }
  return &tl__fds[fd];
}

void tl_io_own(int fd, int blocking) {
  struct tl__fd *s = tl__slot(fd, 1);
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0) fcntl(fd, F_SETFL, fl | O_NONBLOCK);
  fcntl(fd, F_SETFD, FD_CLOEXEC); /* a spawned threadlab inherits none */
  tl__desc_epoch++;
  if (!s) return;
  memset(s, 0, sizeof *s);
  s->own = 1;
  s->nonblock = !blocking;
}

void tl_io_disown(int fd) {
  struct tl__fd *s = tl__slot(fd, 0);
  tl__desc_epoch++;
  if (s) memset(s, 0, sizeof *s);
}

int tl_io_owned(int fd) {
  struct tl__fd *s = tl__slot(fd, 0);
  return s && s->own;
}

void tl_io_set_ports(int fd, int lport, int cport) {
  struct tl__fd *s = tl__slot(fd, 0);
  if (!s) return;
  if (lport >= 0) s->lport = (uint16_t)lport;
  if (cport >= 0) s->cport = (uint16_t)cport;
}

void tl_io_set_desc(int fd, const char *desc, uint32_t chan) {
  struct tl__fd *s = tl__slot(fd, 0);
  if (!s) return;
  snprintf(s->desc, sizeof s->desc, "%s", desc);
  s->said = 0; /* named anew in the trace */
  tl__desc_epoch++;
  if (chan) s->chan = chan;
}

uint32_t tl_io_chan(int fd) {
  struct tl__fd *s = tl__slot(fd, 0);
  return s ? s->chan : 0;
}

int tl_io_blocking(int fd) {
  struct tl__fd *s = tl__slot(fd, 0);
  if (s && s->own) return !s->nonblock;
  {
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 || !(fl & O_NONBLOCK);
  }
}

void tl_io_set_blocking(int fd, int yes) {
  struct tl__fd *s = tl__slot(fd, 0);
  if (s && s->own) {
    s->nonblock = !yes;
  } else {
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) fcntl(fd, F_SETFL, yes ? fl & ~O_NONBLOCK : fl | O_NONBLOCK);
  }
}

void tl_io_close_all(void) {
  tl__desc_epoch++;
  for (int fd = 0; fd < tl__nfds; fd++)
    if (tl__fds[fd].own) {
      close(fd);
      memset(&tl__fds[fd], 0, sizeof tl__fds[fd]);
    }
}

const char *tl_io_describe(int fd, char *buf, size_t n) {
  struct tl__fd *s = tl__slot(fd, 0);
  if (s && s->desc[0])
    snprintf(buf, n, "fd %d (%s)", fd, s->desc);
  else if (s && s->pipe_end)
    snprintf(buf, n, "fd %d (pipe %s end)", fd, s->pipe_end == 1 ? "read" : "write");
  else
    snprintf(buf, n, "fd %d", fd);
  return buf;
}

/* The description of one descriptor in the trace's text, written once:
 * a thread blocking on a pipe a million times names it a million times. */
uint64_t tl_io_said(int fd) {
  struct tl__fd *s = tl__slot(fd, 0);
  char one[200];
  uint64_t gen;
  if (!tl_trace_global) return 0;
  gen = tl_trace_generation(tl_trace_global);
  if (s && s->said && s->said_gen == gen) return s->said;
  tl_io_describe(fd, one, sizeof one);
  {
    uint64_t off = tl_trace_str(tl_trace_global, one, strlen(one));
    if (s) {
      s->said = off;
      s->said_gen = gen;
    }
    return off;
  }
}

/* Sets of descriptors already written into the trace's text: a select
 * loop names the same few sets over and over, and writing each anew would
 * fill the text (--trace-text) within seconds of a busy server. */
#define TL__SETS 16
#define TL__SET_MAX 16
static struct {
  uint64_t gen, epoch, off;
  int n;
  int fd[TL__SET_MAX];
} tl__sets[TL__SETS];

/* The descriptors of fds (or of those ready, if ready) in the trace's text. */
static uint64_t tl__say_set(struct pollfd *fds, int n, int ready);

/* A wait's set, named in the trace as an I/O wait names it. */
uint64_t tl_io_say_set(struct pollfd *fds, int n) { return tl__say_set(fds, n, 0); }

static uint64_t tl__say_set(struct pollfd *fds, int n, int ready) {
  char buf[512], one[200];
  size_t len = 0;
  int i, count = 0, last = -1, set[TL__SET_MAX];
  uint64_t gen, off;
  unsigned h = 0;
  if (!tl_trace_global) return 0;
  for (i = 0; i < n; i++)
    if (!ready || fds[i].revents) {
      if (count < TL__SET_MAX) set[count] = fds[i].fd;
      h = h * 31u + (unsigned)fds[i].fd;
      count++, last = i;
    }
  if (count == 1) return tl_io_said(fds[last].fd);
  gen = tl_trace_generation(tl_trace_global);
  h %= TL__SETS;
  if (count <= TL__SET_MAX && tl__sets[h].off && tl__sets[h].gen == gen &&
      tl__sets[h].epoch == tl__desc_epoch && tl__sets[h].n == count &&
      memcmp(tl__sets[h].fd, set, (size_t)count * sizeof *set) == 0)
    return tl__sets[h].off;
  buf[0] = 0;
  for (i = 0; i < n; i++) {
    if (ready && !fds[i].revents) continue;
    tl_io_describe(fds[i].fd, one, sizeof one);
    len += (size_t)snprintf(buf + len, len < sizeof buf ? sizeof buf - len : 0, "%s%s",
                            len ? ", " : "", one);
    if (len >= sizeof buf) { len = sizeof buf - 1; break; }
  }
  off = tl_trace_str(tl_trace_global, buf, len);
  if (count <= TL__SET_MAX && off) {
    tl__sets[h].gen = gen;
    tl__sets[h].epoch = tl__desc_epoch;
    tl__sets[h].off = off;
    tl__sets[h].n = count;
    memcpy(tl__sets[h].fd, set, (size_t)count * sizeof *set);
  }
  return off;
}

void tl_io_note(int fd, int wrote, size_t bytes) {
  struct tl__fd *s = tl__slot(fd, 0);
  if (s) *(wrote ? &s->wrote : &s->got) += bytes;
  tl_emit(wrote ? TL_EV_IO_WRITE : TL_EV_IO_READ, 0, s ? s->chan : 0, (uint64_t)bytes);
  tl_io_changed(fd); /* data for a reader, or room for a writer */
}

void tl_io_note_eof(int fd) {
  struct tl__fd *s = tl__slot(fd, 0);
  if (s) s->wrote++; /* (an end of file is something to read) */
}

/* The other end of fd's pipe, or the peer of its connection, in this
 * process; -1 if none. */
static int tl__other_end(int fd) {
  struct tl__fd *s = tl__slot(fd, 0);
  if (!s || !s->own) return -1;
  if (!s->pipe_end) return tl_io_peer(fd);
  for (int o = 0; o < tl__nfds; o++)
    if (o != fd && tl__fds[o].own && tl__fds[o].chan == s->chan && tl__fds[o].pipe_end &&
        tl__fds[o].pipe_end != s->pipe_end)
      return o;
  return -1;
}

/* Whether a read of fd can only fail with EAGAIN: every byte written into
 * it (the other end's io-write events) was read (its io-read events), the
 * other end is this process's, and the run has had no other process that
 * could have written into it. A blocking read then goes straight to its wait: the attempt
 * costs a system call (0.85 us on the build machine, two a pipe round
 * trip) and cannot succeed. Wrong only if bytes came in that no io-write
 * counted: then the read waits a moment it need not have (the wait is
 * drawn); it still reads them. (GIL held.) */
static int tl__drained(int fd) {
  struct tl__fd *s = tl__slot(fd, 0);
  /* (a child, even one gone, may have written bytes no count here knows) */
  if (!s || !s->own || tl_proc_started() > 0 || tl_proc_is_child()) return 0;
  if (s->other_epoch != tl__desc_epoch || !s->other_epoch) {
    s->other = tl__other_end(fd);
    s->other_epoch = tl__desc_epoch;
  }
  return s->other >= 0 && tl__fds[s->other].wrote == s->got;
}

/* ---- errors -------------------------------------------------------------- */

static const char *tl__errno_class(int err) {
  switch (err) {
    case EAGAIN: case EINPROGRESS: case EALREADY: return "BlockingIOError";
    case EPIPE: case ESHUTDOWN: return "BrokenPipeError";
    case ECONNREFUSED: return "ConnectionRefusedError";
    case ECONNRESET: return "ConnectionResetError";
    case ECONNABORTED: return "ConnectionAbortedError";
    case EACCES: case EPERM: return "PermissionError";
    case ETIMEDOUT: return "TimeoutError";
    case EINTR: return "InterruptedError";
    case ENOENT: return "FileNotFoundError";
    case EEXIST: return "FileExistsError";
    case ECHILD: return "ChildProcessError";
    case ESRCH: return "ProcessLookupError";
    default: return "OSError";
  }
}

int tl_io_raise_errno(lua_State *L, int err) {
  const char *msg = strerror(err);
  lua_pushfstring(L, "[Errno %d] %s", err, msg);
  tl_push_error(L, tl__errno_class(err), lua_tostring(L, -1));
  if (lua_istable(L, -1)) {
    lua_pushinteger(L, err);
    lua_setfield(L, -2, "errno");
    lua_pushstring(L, msg);
    lua_setfield(L, -2, "strerror");
  }
  return lua_error(L);
}

/* ---- the wait ------------------------------------------------------------ */

void tl_io_changed(int fd) {
  (void)fd;
  if (!tl_W || !TL_VIRTUAL()) return; /* the kernel wakes a real poll */
  tl_mutex_lock(&tl_W->mu);
  for (tl_thread *t = tl_W->live; t; t = t->next)
    if (t->wait_kind == TL_WAIT_IO) tl__wake(t);
  tl_mutex_unlock(&tl_W->mu);
}

/* The other end of a connection whose both ends this process holds. */
int tl_io_peer(int fd) {
  struct tl__fd *s = tl__slot(fd, 0);
  if (!s || !s->own || !s->chan || s->pipe_end) return -1;
  for (int o = 0; o < tl__nfds; o++)
    if (o != fd && tl__fds[o].own && tl__fds[o].chan == s->chan && !tl__fds[o].pipe_end) return o;
  return -1;
}

int tl_io_listener(int port) {
  for (int o = 0; o < tl__nfds; o++)
    if (tl__fds[o].own && tl__fds[o].lport == port) return o;
  return -1;
}

/* The virtual clock: loopback TCP is carried by the kernel a moment after
 * send() returns (in a softirq, maybe on another CPU). Until it has landed
 * at the peer, the virtual clock stands still, so what the peer's next
 * poll sees never depends on the machine's load: the same run each time. */
void tl_io_settle(int fd, short events, int (*landed)(int fd, long want), long want) {
  struct pollfd p = {fd, events, 0};
  if (!TL_VIRTUAL() || fd < 0) return;
  for (int i = 0; i < 2000; i++) {
    if (landed ? landed(fd, want) : poll(&p, 1, 0) > 0) return;
    poll(&p, 1, 1);
  }
}

/* The ready set, as the trace names it. */
static void tl__emit_ready(struct pollfd *fds, int n, int r, int flags) {
  uint32_t chan = 0;
  for (int i = 0; i < n && r > 0 && !chan; i++)
    if (fds[i].revents) chan = tl_io_chan(fds[i].fd);
  tl_emit(TL_EV_IO_READY, (uint16_t)((r > 0 ? r & 0x7fff : 0) | (flags & TL_IO_MARK ? 0x8000 : 0)), chan,
          r > 0 ? tl__say_set(fds, n, 1) : 0);
}

/* On the virtual clock, when every other thread waits with no end (for
 * I/O too, or for a lock, a join) and no timer is due, nothing in this
 * process can make the descriptors ready. (World mutex held.) */
static int tl__nothing_can_move(const tl_thread *self) {
  for (const tl_thread *t = tl_W->live; t; t = t->next) {
    if (t == self || t->vs == TL_VS_DONE) continue;
    if (t->vs != TL_VS_BLOCKED) return 0;
    if (t->wait_kind == TL_WAIT_IO ? !t->io_forever : t->vdeadline != 0) return 0;
  }
  return 1;
}

/* Whether what would make fd ready is in this process: the other end of
 * a pipe it made, or the peer of a loopback connection between two of its
 * sockets. Not so for stdin, a listening socket (a client may come from
 * outside) or a connection to another program: those may still move. */
static int tl__end_inside(int fd) { return tl__other_end(fd) >= 0; }

/* How long nothing may move before a wait is called a hang: a virtual
 * second, and a fifth of a real one (loopback data a loaded machine has
 * not delivered yet is not taken for a hang). */
#define TL__IO_HANG_NS 1000000000ull
#define TL__IO_HANG_WALL_NS 200000000ull

static int tl__io_hang(lua_State *L, struct pollfd *fds, int n, int procs) {
  char what[200];
  tl_io_describe(n ? fds[0].fd : -1, what, sizeof what);
  if (procs)
    return tl_raise_hang(L, "hang across processes: %s waits for %s%s, and every process of "
                         "the run waits for another: nothing can ever make it ready",
                         tl__self->name, what, n > 1 ? " and others" : "");
  return tl_raise_hang(L, "hang: %s waits for %s%s, and nothing else here can run again to make "
                       "it ready", tl__self->name, what, n > 1 ? " and others" : "");
}

/* A set's readiness for a spin (tl__spin_learnt): a look, no wait; the
 * count of ready descriptors, their revents filled, as poll gives them. */
static int tl__set_ready(void *arg, int slice_ms) {
  struct tl__io_waiter *w = arg;
  int k = poll(w->fds, (nfds_t)w->n, 0);
  return k > 0 ? k : 0;
}

int tl_io_wait(lua_State *L, struct pollfd *fds, int n, double timeout, int flags) {
  tl_thread *self = tl__self;
  int r, err = 0, cancelled = 0, virt, hang = 0, hang_procs = 0, spun = 0;
  uint64_t deadline = 0, wall_end = 0, still = 0, still_wall = 0, t0 = 0;
  struct tl__io_waiter me = {fds, n};
  if ((flags & TL_IO_AFTER_EAGAIN) && self && timeout != 0 && !TL_VIRTUAL()) {
    r = 0;
  } else {
    while ((r = poll(fds, (nfds_t)n, 0)) < 0 && errno == EINTR) {}
    if (r < 0) return tl_io_raise_errno(L, errno);
    if (r > 0 || timeout == 0 || !self) return r;
  }
  tl_emit(TL_EV_IO_WAIT, (uint16_t)(flags & TL_IO_MARK), n ? tl_io_chan(fds[0].fd) : 0,
          tl__say_set(fds, n, 0));
  tl_mutex_lock(&tl_W->mu);
  virt = TL_VIRTUAL();
  TL_ALLOW_THREADS_BEGIN(self);
  if (virt) {
    int inside = 1;
    for (int i = 0; i < n && inside; i++) inside = tl__end_inside(fds[i].fd);
    deadline = timeout > 0 ? tl_deadline_in(timeout) : 0;
    /* (a wait on what something outside may make ready is never called a
     * hang, and keeps any other wait from being one) */
    self->io_forever = timeout < 0 && inside;
    still = tl_clock_now();
    still_wall = tl_now_ns();
  }
  else if (timeout > 0)
    wall_end = tl_now_ns() + (uint64_t)(timeout * 1e9);
  for (;;) {
    if (self->cancel) { cancelled = 1; break; }
    if (virt) {
      /* A peer in threadlab wakes us (tl_io_changed); one outside it (a
       * forked process) is seen at the next virtual millisecond. */
      uint64_t tick = tl_deadline_in(0.001), d = deadline && deadline < tick ? deadline : tick;
      int e;
      /* a look for what another process of the run may write: their
       * scheduler tells (vhang) when every process is stuck so */
      self->vpoll = d == tick && self->io_forever;
      e = tl__wait(self, TL_WAIT_IO, &me, d);
      self->vpoll = 0;
      if (self->vhang) {
        self->vhang = 0;
        hang = hang_procs = 1;
        break;
      }
      if (e == ECANCELED) { cancelled = 1; break; }
      tl_mutex_unlock(&tl_W->mu);
      r = poll(fds, (nfds_t)n, 0);
      err = errno;
      if (r > 0) tl_vp_progress();
      tl_mutex_lock(&tl_W->mu);
      if (r != 0 && !(r < 0 && err == EINTR)) break;
      if (deadline && tl_clock_now() >= deadline) { r = 0; break; }
      if (!self->io_forever || !tl__nothing_can_move(self)) {
        still = tl_clock_now();
        still_wall = tl_now_ns();
      } else if (!tl_vp_on() && tl_clock_now() - still > TL__IO_HANG_NS &&
                 tl_now_ns() - still_wall > TL__IO_HANG_WALL_NS) {
        hang = 1;
        break;
      }
    } else {
      /* Slices of 50 ms: a cancellation is seen between two. */
      int ms = 50;
      self->wait_kind = TL_WAIT_IO;
      self->wait_obj = &me;
      if (wall_end) {
        uint64_t now = tl_now_ns();
        if (now >= wall_end) { r = 0; break; }
        if (wall_end - now < 50000000u) ms = (int)((wall_end - now + 999999) / 1000000);
      }
      tl_mutex_unlock(&tl_W->mu);
      /* first a spin, when this thread's waits say the answer comes soon */
      r = 0;
      if (!spun) {
        spun = 1;
        t0 = tl_now_ns();
        r = tl__spin_learnt(tl__set_ready, &me);
        if (r < 0) r = 0; /* (it did not spin) */
      }
      if (r == 0) r = poll(fds, (nfds_t)n, ms);
      err = errno;
      tl_mutex_lock(&tl_W->mu);
      self->wait_kind = TL_WAIT_NONE;
      self->wait_obj = NULL;
      if (r != 0 && !(r < 0 && err == EINTR)) break;
    }
  }
  self->io_forever = 0;
  if (t0) tl__spin_learn(r > 0 ? tl_now_ns() - t0 : TL_SPIN_WORTH_NS); /* (before the GIL's wait) */
  TL_ALLOW_THREADS_END(self);
  tl_mutex_unlock(&tl_W->mu);
  tl__emit_ready(fds, n, cancelled || hang ? 0 : r, flags);
  if (cancelled) {
    tl_check_cancel(L);
    return 0;
  }
  if (hang) return tl__io_hang(L, fds, n, hang_procs);
  if (r < 0) return tl_io_raise_errno(L, err);
  return r;
}

/* The real clock: a blocking call made as CPython makes it (its socket
 * calls run inside Py_BEGIN_ALLOW_THREADS): the GIL let go once around the
 * whole call, its attempts and its waits for readiness alike, not around
 * each wait only. A thread that the call wakes (the reader of what was
 * sent, on this CPU at once when the kernel's wake-up preempts the sender)
 * then finds the GIL free instead of waiting for it, and a reader back from
 * its wait takes the GIL once, its data already read. */
int tl_io_nogil_ok(double timeout) { return timeout != 0 && tl__self && !TL_VIRTUAL(); }

/* Slices of a wait in the real clock: a cancellation is seen between two. */
#define TL__SLICE_MS 50

/* Whether a recv on fd may wait in the kernel (TL_IO_KERNEL_WAIT): 0 no,
 * 1 yes, 2 yes once tl__kernel_block made its file blocking (at the call's
 * first wait; the table says so when the call ends, tl__kernel_waits).
 * Under the GIL. */
static int tl__kernel_wait(int fd) {
  struct tl__fd *s = tl__slot(fd, 0);
  if (!s || !s->own) return 0;
  return s->kwait ? 1 : 2;
}

static void tl__kernel_waits(int fd) {
  struct tl__fd *s = tl__slot(fd, 0);
  if (s && s->own) s->kwait = 1;
}

/* The file made blocking, with a receive timeout of one slice: 0 if it
 * could not be (the wait polls then). Without the GIL: only syscalls. */
static int tl__kernel_block(int fd) {
  struct timeval tv = {0, TL__SLICE_MS * 1000};
  int fl = fcntl(fd, F_GETFL);
  return fl >= 0 && setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0 &&
         fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == 0;
}

void tl_io_unblock(int fd) {
  struct tl__fd *s = tl__slot(fd, 0);
  int fl;
  if (!s || !s->kwait) return;
  if ((fl = fcntl(fd, F_GETFL)) >= 0) fcntl(fd, F_SETFL, fl | O_NONBLOCK);
  s->kwait = 0;
}

ssize_t tl_io_nogil(lua_State *L, int fd, short events, double timeout, tl_io_fn fn, void *arg,
                    int flags) {
  tl_thread *self = tl__self;
  struct pollfd p = {fd, events, 0};
  struct tl__io_waiter me = {&p, 1};
  uint64_t said = tl_io_said(fd), wall_end = 0;
  uint32_t chan = tl_io_chan(fd);
  ssize_t r = -1;
  uint64_t t0 = 0;
  int err = 0, waited = 0, cancelled = 0, drained = events == POLLIN && tl__drained(fd);
  int kwait = (flags & TL_IO_KERNEL_WAIT) && timeout < 0 ? tl__kernel_wait(fd) : 0, switched = 0;
  tl_mutex_lock(&tl_W->mu);
  tl__gil_release_quiet_locked(self);
  /* (in the call's attempts too: one mutex round less a wait) */
  self->wait_kind = TL_WAIT_IO;
  self->wait_obj = &me;
  self->sock_io = 1; /* its GIL waiters spin a little (gil.c) */
  cancelled = self->cancel != 0;
  tl_mutex_unlock(&tl_W->mu);
  while (!cancelled) {
    int ms = TL__SLICE_MS;
    if (drained) {
      drained = 0; /* (it would fail: wait first) */
    } else {
      if ((r = fn(arg, 0)) >= 0) break;
      if ((err = errno) == EINTR) continue;
      if (err != EAGAIN) break;
    }
    if (!waited) {
      waited = 1;
      /* (made blocking only now: a call that never waits leaves its socket
       * as it was, and a listening socket's recv fails at once) */
      if (kwait == 2) kwait = switched = tl__kernel_block(fd);
      if (timeout > 0) wall_end = tl_now_ns() + (uint64_t)(timeout * 1e9);
      tl_gil_say_release(self); /* the release comes before the wait */
      tl_emit_real(TL_EV_IO_WAIT, 0, chan, said);
      /* first a spin, when this thread's waits say the answer comes soon
       * (a peer thread or process often answers within microseconds, and
       * waking a halted CPU costs more on a virtual machine) */
      t0 = tl_now_ns();
      if (tl__spin_learnt(tl__set_ready, &me) > 0) continue;
    }
    if (wall_end) {
      uint64_t now = tl_now_ns();
      if (now >= wall_end) { err = ETIMEDOUT; break; }
      if (wall_end - now < 50000000u) ms = (int)((wall_end - now + 999999) / 1000000);
    }
    if (kwait) {
      /* The wait and the recv in one call. EAGAIN: a slice went by, or,
       * sooner, the file is non-blocking after all (another process's
       * os.read put it back): the rest of this call polls then, never a
       * busy loop. */
      uint64_t began = tl_now_ns();
      if ((r = fn(arg, 1)) >= 0) break;
      if ((err = errno) != EAGAIN && err != EINTR) break;
      if (err == EAGAIN && tl_now_ns() - began < TL__SLICE_MS * 500000u) kwait = 0;
      err = 0;
      r = 0;
    } else if ((r = poll(&p, 1, ms)) < 0 && errno != EINTR) {
      err = errno;
      break;
    }
    if (r == 0) {
      tl_mutex_lock(&tl_W->mu);
      cancelled = self->cancel != 0;
      tl_mutex_unlock(&tl_W->mu);
    }
    r = -1;
  }
  if (t0) tl__spin_learn(r >= 0 ? tl_now_ns() - t0 : TL_SPIN_WORTH_NS);
  tl_mutex_lock(&tl_W->mu);
  self->wait_kind = TL_WAIT_NONE;
  self->wait_obj = NULL;
  tl__gil_take_quiet_locked(self);
  tl_mutex_unlock(&tl_W->mu);
  if (switched) tl__kernel_waits(fd);
  if (waited) tl_emit(TL_EV_IO_READY, r >= 0, chan, r >= 0 ? said : 0);
  if (cancelled) tl_check_cancel(L);
  errno = err;
  return r;
}

static int tl__wait_one(lua_State *L, int fd, short events, double timeout, int flags) {
  struct pollfd p = {fd, events, 0};
  return tl_io_wait(L, &p, 1, timeout, flags);
}

int tl_io_wait_fd(lua_State *L, int fd, short events, double timeout) {
  return tl__wait_one(L, fd, events, timeout, TL_IO_AFTER_EAGAIN);
}

/* ---- os ------------------------------------------------------------------ */

static int tl__checkfd(lua_State *L, int i) {
  lua_Integer fd = luaL_checkinteger(L, i);
  if (fd < 0 || fd > 0x7fffffff) return (int)tl_io_raise_errno(L, EBADF);
  return (int)fd;
}

static int f_pipe(lua_State *L) {
  int p[2];
  uint32_t chan;
  if (pipe(p) != 0) return tl_io_raise_errno(L, errno);
  chan = tl_trace_global ? tl_trace_new_id(tl_trace_global) : 0;
  for (int i = 0; i < 2; i++) {
    struct tl__fd *s;
    tl_io_own(p[i], 1);
    if ((s = tl__slot(p[i], 0))) {
      s->pipe_end = (uint8_t)(i + 1);
      s->chan = chan;
    }
  }
  lua_pushinteger(L, p[0]);
  lua_pushinteger(L, p[1]);
  return 2;
}

/* One read or write for tl_io_nogil. */
struct tl__rw {
  int fd;
  char *p;
  size_t n, done;
};

static ssize_t tl__read_fn(void *arg, int wait) {
  struct tl__rw *c = arg;
  (void)wait;
  return read(c->fd, c->p, c->n);
}

/* All of it, as a blocking write does (the rest after a wait); an error
 * after part of it was written returns the part, as write(2) does. */
static ssize_t tl__write_fn(void *arg, int wait) {
  struct tl__rw *c = arg;
  (void)wait;
  while (c->done < c->n) {
    ssize_t r = write(c->fd, c->p + c->done, c->n - c->done);
    if (r < 0) return c->done && errno != EAGAIN && errno != EINTR ? (ssize_t)c->done : -1;
    c->done += (size_t)r;
  }
  return (ssize_t)c->done;
}

static int f_read(lua_State *L) {
  int fd = tl__checkfd(L, 1);
  lua_Integer n = luaL_checkinteger(L, 2);
  luaL_Buffer b;
  ssize_t r;
  char *p;
  if (n < 0) return tl_raise(L, "ValueError", "negative length");
  tl_io_unblock(fd); /* (read(2) has no MSG_DONTWAIT) */
  if (!tl_io_owned(fd) && tl_io_blocking(fd)) tl__wait_one(L, fd, POLLIN, -1, 0);
  p = luaL_buffinitsize(L, &b, (size_t)n);
  if (tl_io_owned(fd) && tl_io_blocking(fd) && tl_io_nogil_ok(-1)) {
    /* As CPython's os.read: the GIL let go around the whole read. */
    struct tl__rw c = {fd, p, (size_t)n, 0};
    if ((r = tl_io_nogil(L, fd, POLLIN, -1, tl__read_fn, &c, 0)) < 0) return tl_io_raise_errno(L, errno);
  } else for (;;) {
    r = read(fd, p, (size_t)n);
    if (r >= 0) break;
    if (errno == EINTR) continue;
    if (errno != EAGAIN || !tl_io_blocking(fd)) return tl_io_raise_errno(L, errno);
    tl_io_wait_fd(L, fd, POLLIN, -1);
  }
  if (r > 0) tl_io_note(fd, 0, (size_t)r); /* (and room for a blocked writer) */
  luaL_pushresultsize(&b, (size_t)r);
  return 1;
}

static int f_write(lua_State *L) {
  int fd = tl__checkfd(L, 1);
  size_t len, done = 0;
  const char *s = luaL_checklstring(L, 2, &len);
  int blocking = tl_io_blocking(fd);
  tl_io_unblock(fd); /* (write(2) has no MSG_DONTWAIT) */
  if (len && blocking && tl_io_owned(fd) && tl_io_nogil_ok(-1)) {
    /* As CPython's os.write: the GIL let go around the whole write. The
     * write is in the trace before the GIL goes (see f_sendall). */
    struct tl__rw c = {fd, (char *)s, len, 0};
    ssize_t r;
    tl_io_note(fd, 1, len);
    if ((r = tl_io_nogil(L, fd, POLLOUT, -1, tl__write_fn, &c, 0)) < 0) return tl_io_raise_errno(L, errno);
    lua_pushinteger(L, (lua_Integer)r);
    return 1;
  }
  do {
    ssize_t r = write(fd, s + done, len - done);
    if (r < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN && blocking) {
        tl_io_wait_fd(L, fd, POLLOUT, -1);
        continue;
      }
      if (done) break; /* a partial write counts, as write(2) says */
      return tl_io_raise_errno(L, errno);
    }
    done += (size_t)r;
    tl_io_note(fd, 1, (size_t)r);
  } while (blocking && done < len);
  lua_pushinteger(L, (lua_Integer)done);
  return 1;
}

static int f_close(lua_State *L) {
  int fd = tl__checkfd(L, 1);
  tl_io_changed(fd); /* the other end sees its end of file */
  if (close(fd) != 0 && errno != EINTR) return tl_io_raise_errno(L, errno);
  tl_io_disown(fd);
  return 0;
}

static int f_set_blocking(lua_State *L) {
  int fd = tl__checkfd(L, 1);
  luaL_checkany(L, 2);
  if (fcntl(fd, F_GETFL) < 0) return tl_io_raise_errno(L, errno);
  tl_io_set_blocking(fd, lua_toboolean(L, 2));
  return 0;
}

static int f_get_blocking(lua_State *L) {
  int fd = tl__checkfd(L, 1);
  if (fcntl(fd, F_GETFL) < 0) return tl_io_raise_errno(L, errno);
  lua_pushboolean(L, tl_io_blocking(fd));
  return 1;
}

/* _io.wait(fd, "r"|"w", timeout): for the Lua halves (true if ready). */
static int f_wait_fd(lua_State *L) {
  int fd = tl__checkfd(L, 1);
  const char *mode = luaL_checkstring(L, 2);
  double timeout = luaL_optnumber(L, 3, -1);
  lua_pushboolean(L, tl__wait_one(L, fd, *mode == 'w' ? POLLOUT : POLLIN, timeout, 0) > 0);
  return 1;
}

/* _io.owned(): the descriptors the program holds open, sorted. */
static int f_owned(lua_State *L) {
  int k = 0;
  lua_newtable(L);
  for (int fd = 0; fd < tl__nfds; fd++)
    if (tl__fds[fd].own) {
      lua_pushinteger(L, fd);
      lua_rawseti(L, -2, ++k);
    }
  return 1;
}

int luaopen_tl_io(lua_State *L) {
  static const luaL_Reg os_funcs[] = {
    { "pipe",         f_pipe         },
    { "read",         f_read         },
    { "write",        f_write        },
    { "close",        f_close        },
    { "set_blocking", f_set_blocking },
    { "get_blocking", f_get_blocking },
    { NULL,           NULL           }
  };
  static const luaL_Reg lib[] = {
    { "wait",  f_wait_fd },
    { "owned", f_owned   },
    { NULL,    NULL      }
  };
  /* As CPython at start-up: a write to a closed pipe or socket raises
   * BrokenPipeError instead of killing the program. */
  signal(SIGPIPE, SIG_IGN);
  lua_getglobal(L, "os");
  luaL_setfuncs(L, os_funcs, 0);
  lua_pop(L, 1);
  luaL_newlib(L, lib);
  return 1;
}
