/* Descriptors (io.c): the one wait for readiness every blocking call on a
 * pipe or socket goes through (select, poll, epoll, and later gevent and
 * asyncio), the table of descriptors the program opened (closed at :reset
 * and exit), and OSError with Python's errno classes. */
#ifndef TL_IO_H
#define TL_IO_H

#include <lua.h>
#include <poll.h>
#include <sys/types.h>

/* Waits, the GIL held on entry and on return, until one of fds is ready,
 * timeout seconds pass (< 0: no timeout) or the thread is cancelled. The
 * GIL is released meanwhile. In the virtual clock the wait is a scheduler
 * point: the thread blocks in the engine (never in a system call) and is
 * woken by any descriptor write in threadlab, or looks again each virtual
 * millisecond. fds[i].revents are set. Returns how many are ready (0 on
 * timeout); on cancellation raises (KeyboardInterrupt, or the :reset
 * kill). The trace names the descriptors (IO_WAIT) and the ready set
 * (IO_READY; drawn as a marker with TL_IO_MARK). */
int tl_io_wait(lua_State *L, struct pollfd *fds, int n, double timeout, int flags);
/* flags: the wait is a select/poll/epoll whose ready set is drawn */
#define TL_IO_MARK 1
/* flags: the caller's call has just failed with EAGAIN, so a first look
 * (poll with no wait) would find nothing: the real clock skips it */
#define TL_IO_AFTER_EAGAIN 2
/* One descriptor, after its call failed with EAGAIN: events POLLIN or
 * POLLOUT; 1 ready, 0 timed out. */
int tl_io_wait_fd(lua_State *L, int fd, short events, double timeout);
/* The real clock's blocking call (io.c): fn(arg) is tried, the GIL
 * released, and while it fails with EAGAIN the descriptor is polled for
 * events (timeout seconds, < 0: none) and fn tried again; the GIL is taken
 * back once, at the end. Returns fn's result, or -1 with errno (ETIMEDOUT
 * when the timeout passed); raises on cancellation. Only where
 * tl_io_nogil_ok(timeout): the real clock, a thread, a blocking call; the
 * virtual clock's waits stay scheduler points (tl_io_wait). */
typedef ssize_t (*tl_io_fn)(void *arg, int wait);
int tl_io_nogil_ok(double timeout);
ssize_t tl_io_nogil(lua_State *L, int fd, short events, double timeout, tl_io_fn fn, void *arg,
                    int flags);
/* tl_io_nogil's flags: fn is a socket's recv, able to wait in the kernel
 * (fn(arg, 1): the call without MSG_DONTWAIT). A recv with no timeout then
 * waits in that one call, as CPython's does, not in a poll and a second
 * recv: its socket is made blocking in the kernel, with a receive timeout
 * of one slice (a cancellation is seen between two). fn(arg, 0) must never
 * wait: every call on a socket says MSG_DONTWAIT, and os.read and os.write
 * make a socket's file non-blocking again first (tl_io_unblock). */
#define TL_IO_KERNEL_WAIT 1
void tl_io_unblock(int fd);
/* After a write, close, connect... that may make another thread's
 * descriptor ready: wakes this process's I/O waiters (virtual clock). */
void tl_io_changed(int fd);
/* A socket's ports, for targeted wakes (-1: keep): the port it listens
 * on, the port it connected to. */
void tl_io_set_ports(int fd, int lport, int cport);
/* The other end of fd's connection held by this process, or -1; the
 * listening socket on port, or -1. */
int tl_io_peer(int fd);
int tl_io_listener(int port);
/* Virtual clock: waits (really, the clock standing still) until what was
 * just sent has landed at fd: landed(fd, want) says so, or else fd polls
 * ready for events. */
void tl_io_settle(int fd, short events, int (*landed)(int fd, long want), long want);

/* The table of descriptors this program opened. */
void tl_io_own(int fd, int blocking);
void tl_io_disown(int fd);
int tl_io_owned(int fd);
/* The descriptor of the threadlab socket at idx (-1 once closed), read
 * without calling its fileno(): 1 if idx is one (sockmod.c). */
int tl_sock_fileno(lua_State *L, int idx, lua_Integer *fd);
int tl_io_blocking(int fd);       /* as the program set it (1 if not ours) */
void tl_io_set_blocking(int fd, int yes);
/* :reset and exit: closes every descriptor the program opened. */
void tl_io_close_all(void);

/* Raises the OSError subclass Python raises for err ("[Errno 9] Bad file
 * descriptor"), with e.errno and e.strerror. */
int tl_io_raise_errno(lua_State *L, int err);
/* What names fd in the trace: "fd 5 (pipe read end)". */
const char *tl_io_describe(int fd, char *buf, size_t n);
/* The same, in the trace's text (written once per descriptor and trace). */
uint64_t tl_io_said(int fd);
uint64_t tl_io_say_set(struct pollfd *fds, int n);
/* What the trace calls an owned descriptor ("socket 127.0.0.1:8080"), and
 * the channel its readiness arrows follow (0: keep). */
void tl_io_set_desc(int fd, const char *desc, uint32_t chan);
uint32_t tl_io_chan(int fd);
/* Trace events about data through fd (the arrows' ends). Every byte
 * into or out of a descriptor is noted here: a blocking read knows from
 * the counts when an attempt can only fail (tl_io_nogil). */
void tl_io_note(int fd, int wrote, size_t bytes);
/* fd's other end will read an end of file (a shutdown for writing). */
void tl_io_note_eof(int fd);

int luaopen_tl_io(lua_State *L);     /* os.pipe, read, write...; returns _io */
int luaopen_tl_socket(lua_State *L); /* the socket module */
int luaopen_tl_select(lua_State *L); /* the select module (a callable table) */

#endif
