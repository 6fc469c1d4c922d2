/* The spawn start method: the child is a fresh threadlab, an exec of
 * /proc/self/exe, as CPython's spawn runs a fresh python. Nothing of the
 * parent's Lua state reaches it: it runs the main script again (with
 * __name__ "__mp_main__", so unguarded top-level code runs again in every
 * child), then finds its Process's target by global name and calls it with
 * the pickled arguments.
 *
 * What it must share with the run reaches it through one memfd (the fd
 * given by --spawn-child): the trace's and the process table's memfds
 * (kept at the same numbers across the exec, so a spawned child can spawn
 * too), its virtual pid and its parent's, the clocks to go on from, the
 * parent's configuration (clock, seed, cores, sandbox ...), how the main
 * code came, and the pickled Process. */
#include "engine.h"
#include "mpgraph.h"
#include "pickle.h"

#include <errno.h>
#include <fcntl.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define TL__SPAWN_MAGIC 0x316e776170736c74ull /* "tlspawn1" */

typedef struct tl__spawn_head {
  uint64_t magic;
  int32_t trace_fd, procs_fd, vp_fd, mpg_fd;
  int32_t vpid, vparent, vslot; /* vslot: its place in the scheduler across processes */
  uint64_t t0, wall0, vnow;
  tl_config cfg;            /* record_dir: the string that follows */
  int32_t main_is_file;     /* main: a script's path, else how it came */
  uint32_t name_len, dir_len, main_len, object_len;
  uint32_t nfds;            /* descriptors the object holds (pipes, shared memory) */
} tl__spawn_head;

static char tl__main[4096];      /* the main script's path, or how it came */
static int tl__main_is_file;
static int tl__is_spawned, tl__booting;
static uint64_t tl__t0, tl__wall0, tl__vnow;
static int tl__vslot = -1;       /* its place in the scheduler across processes */
static char *tl__object;         /* the pickled Process, in a spawned child */
static size_t tl__object_len;

void tl_spawn_set_main(const char *path, const char *how) {
  char real[4096];
  tl__main_is_file = path && realpath(path, real);
  snprintf(tl__main, sizeof tl__main, "%s", tl__main_is_file ? real : how ? how : "the REPL");
}

int tl_spawned(void) { return tl__is_spawned; }
void tl_spawn_set_bootstrapping(int yes) { tl__booting = yes; }
int tl_spawn_bootstrapping(void) { return tl__booting; }

void tl_spawn_world_begins(tl_world *w) {
  if (!tl__is_spawned) return;
  w->t0 = tl__t0;
  w->v.wall0 = tl__wall0;
  atomic_store(&w->v.now, tl__vnow);
}

/* On the virtual clock a spawned child, as a forked one, waits for its
 * first turn before it leaves any mark (its world exists; the world mutex
 * held). */
void tl_spawn_first_turn(void) {
  if (tl__is_spawned) tl_vp_child(tl__vslot);
}

/* ---- the parent's side --------------------------------------------------- */

static int tl__put(int fd, const void *p, size_t n) {
  const char *s = p;
  while (n) {
    ssize_t w = write(fd, s, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    s += w;
    n -= (size_t)w;
  }
  return 0;
}

/* The memfd the child reads: the head, then name, record_dir, main and
 * the pickled object, one after another. -1 with errno on failure. */
static int tl__write_message(const char *name, int32_t vpid, int vslot, const char *obj,
                             size_t objlen, const int *fds, uint32_t nfds) {
  tl__spawn_head h;
  const char *dir = tl_W->cfg.record_dir ? tl_W->cfg.record_dir : "";
  int fd = memfd_create("threadlab-spawn", MFD_CLOEXEC);
  if (fd < 0) return -1;
  memset(&h, 0, sizeof h);
  h.magic = TL__SPAWN_MAGIC;
  h.trace_fd = tl_trace_fd(tl_trace_global);
  h.procs_fd = tl__procs_fd();
  h.vp_fd = tl_vp_fd();
  h.mpg_fd = tl_mpgraph_fd();
  h.vpid = vpid;
  h.vslot = vslot;
  h.vparent = tl_proc_self_pid();
  h.t0 = tl_W->t0;
  h.wall0 = tl_W->v.wall0;
  h.vnow = atomic_load(&tl_W->v.now);
  h.cfg = tl_W->cfg;
  h.cfg.record_dir = NULL;
  h.main_is_file = tl__main_is_file;
  h.name_len = (uint32_t)strlen(name);
  h.dir_len = (uint32_t)strlen(dir);
  h.main_len = (uint32_t)strlen(tl__main);
  h.object_len = (uint32_t)objlen;
  h.nfds = nfds;
  if (tl__put(fd, &h, sizeof h) || tl__put(fd, name, h.name_len) || tl__put(fd, dir, h.dir_len) ||
      tl__put(fd, tl__main, h.main_len) || tl__put(fd, obj, objlen) ||
      tl__put(fd, fds, nfds * sizeof *fds)) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

/* argv of the child: threadlab --spawn-child FD [-- script args...] (the
 * script's arguments: the global arg's, as the parent has them). */
static char **tl__child_argv(lua_State *L, int msgfd, char *fdbuf, size_t fdlen) {
  int n = 0, nargs = 0;
  char **argv;
  snprintf(fdbuf, fdlen, "%d", msgfd);
  if (lua_getglobal(L, "arg") == LUA_TTABLE && tl__main_is_file) nargs = (int)luaL_len(L, -1);
  argv = calloc((size_t)nargs + 6, sizeof *argv);
  if (!argv) {
    lua_pop(L, 1);
    return NULL;
  }
  argv[n++] = "threadlab";
  argv[n++] = "--spawn-child";
  argv[n++] = fdbuf;
  if (tl__main_is_file) {
    argv[n++] = "--";
    argv[n++] = tl__main;
    for (int i = 1; i <= nargs; i++) {
      lua_rawgeti(L, -1, i);
      argv[n++] = (char *)(lua_isstring(L, -1) ? lua_tostring(L, -1) : "");
      lua_pop(L, 1); /* alive: the arg table holds it */
    }
  }
  lua_pop(L, 1);
  argv[n] = NULL;
  return argv;
}

/* The run's shared tables a spawned child maps: trace, process table,
 * scheduler (-1 on the real clock's runs without one), mp-lock graph. */
#define TL__SHARED 4
static void tl__shared_fds(int fd[TL__SHARED]) {
  fd[0] = tl_trace_fd(tl_trace_global);
  fd[1] = tl__procs_fd();
  fd[2] = tl_vp_fd();
  fd[3] = tl_mpgraph_fd();
}

static int tl__unclose_on_exec(int fd) {
  int fl = fcntl(fd, F_GETFD);
  return fl < 0 ? -1 : fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
}

/* The descriptors in the table at idx (open ones: a closed one is an
 * OSError), into fds (at most max). */
static int tl__fd_list(lua_State *L, int idx, int *fds, uint32_t max, uint32_t *n) {
  *n = 0;
  if (lua_isnoneornil(L, idx)) return 0;
  luaL_checktype(L, idx, LUA_TTABLE);
  for (lua_Integer i = 1; *n < max; i++) {
    int fd;
    if (lua_rawgeti(L, idx, i) == LUA_TNIL) break;
    fd = (int)luaL_checkinteger(L, -1);
    lua_pop(L, 1);
    if (fcntl(fd, F_GETFD) < 0) return tl_raise(L, "OSError", "handle is closed (fd %d)", fd);
    fds[(*n)++] = fd;
  }
  return 0;
}

#define TL__SPAWN_FDS 1024

/* _proc.spawn(name, object, fds): pickles object (a PicklingError here,
 * in the parent, as CPython's), starts a fresh threadlab that will run it
 * with the descriptors fds open in it, and returns its pid as the
 * program sees it. */
int tl__f_spawn(lua_State *L) {
  const char *name = luaL_checkstring(L, 1);
  char err[600], fdbuf[24];
  const char *obj;
  size_t objlen;
  int r, msgfd, slot, vslot;
  char **argv;
  int32_t vpid;
  pid_t pid;
  static int fds[TL__SPAWN_FDS]; /* under the GIL */
  uint32_t nfds;
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 3);
  tl__fd_list(L, 3, fds, TL__SPAWN_FDS, &nfds);
  r = tl_pickle_dumps(L, 2, "process", err, sizeof err);
  if (r == -2) return tl_raise(L, "RecursionError", "%s", err);
  if (r == -4)
    return tl_raise(L, "RuntimeError", "%s (threadlab's spawn start method passes only what "
                    "pickles: use the fork start method for it)", err);
  if (r < 0) return tl_raise(L, "PicklingError", "%s", err);
  obj = lua_tolstring(L, -1, &objlen);
  if (!tl_trace_global || tl_trace_fd(tl_trace_global) < 0 || tl__procs_fd() < 0)
    return tl_raise(L, "OSError", "the spawn start method is not available here");
  if ((TL_VIRTUAL() && tl_vp_fd() < 0) || tl_mpgraph_fd() < 0)
    return tl_raise(L, "OSError", "the spawn start method is not available here");
  vpid = tl__proc_reserve(L, name, &slot);
  vslot = TL_VIRTUAL() ? tl_vp_reserve() : -1; /* in the run before it runs */
  if ((msgfd = tl__write_message(name, vpid, vslot, obj, objlen, fds, nfds)) < 0 ||
      !(argv = tl__child_argv(L, msgfd, fdbuf, sizeof fdbuf))) {
    r = msgfd < 0 ? errno : ENOMEM;
    if (msgfd >= 0) close(msgfd);
    tl_vp_forked(vslot, -1);
    return tl__proc_unreserve(L, slot, r);
  }
  fflush(stdout); /* nothing printed before the start appears twice */
  fflush(stderr);
  pid = fork();
  if (pid == 0) {
    /* only what is safe after a fork of a threaded process, until exec */
    static const char msg[] = "threadlab: cannot start a spawned child\n";
    int ok;
    tl__proc_slot_set(slot, (int32_t)getpid());
    int shared[TL__SHARED];
    tl__shared_fds(shared);
    ok = tl__unclose_on_exec(msgfd) == 0;
    for (int i = 0; ok && i < TL__SHARED; i++) ok = shared[i] < 0 || tl__unclose_on_exec(shared[i]) == 0;
    for (uint32_t i = 0; ok && i < nfds; i++) ok = tl__unclose_on_exec(fds[i]) == 0;
    if (ok) execv("/proc/self/exe", argv);
    if (write(2, msg, sizeof msg - 1) < 0) _exit(127);
    _exit(127);
  }
  r = errno;
  tl_vp_forked(vslot, pid);
  close(msgfd);
  free(argv);
  if (pid < 0) return tl__proc_unreserve(L, slot, r);
  lua_pushinteger(L, tl__proc_started(pid, slot, vpid));
  return 1;
}

/* ---- the child's side ----------------------------------------------------- */

static int tl__fail(char *err, size_t n, const char *what) {
  snprintf(err, n, "--spawn-child: %s%s%s", what, errno ? ": " : "", errno ? strerror(errno) : "");
  return -1;
}

int tl_spawn_attach(int fd, tl_config *cfg, char *err, size_t errlen) {
  struct stat st;
  char *buf, *p, name[64];
  tl__spawn_head h;
  size_t need;
  errno = 0;
  if (fstat(fd, &st) != 0 || (size_t)st.st_size < sizeof h)
    return tl__fail(err, errlen, "no message from a parent (this option is threadlab's own)");
  if (!(buf = malloc((size_t)st.st_size))) return tl__fail(err, errlen, "out of memory");
  if (pread(fd, buf, (size_t)st.st_size, 0) != st.st_size) {
    free(buf);
    return tl__fail(err, errlen, "cannot read the parent's message");
  }
  close(fd);
  memcpy(&h, buf, sizeof h);
  need = sizeof h + (size_t)h.name_len + h.dir_len + h.main_len + h.object_len +
         (size_t)h.nfds * sizeof(int);
  if (h.magic != TL__SPAWN_MAGIC || need != (size_t)st.st_size || h.main_len >= sizeof tl__main) {
    free(buf);
    errno = 0;
    return tl__fail(err, errlen, "not a message from a parent threadlab");
  }
  p = buf + sizeof h;
  snprintf(name, sizeof name, "%.*s", (int)h.name_len, p);
  p += h.name_len;
  *cfg = h.cfg;
  cfg->record_dir = h.dir_len ? strndup(p, h.dir_len) : NULL;
  if (cfg->sandbox) cfg->sandbox = 1; /* applied again to the new state */
  p += h.dir_len;
  memcpy(tl__main, p, h.main_len);
  tl__main[h.main_len] = 0;
  tl__main_is_file = h.main_is_file;
  p += h.main_len;
  tl__object_len = h.object_len;
  if (!(tl__object = malloc(h.object_len + 1))) {
    free(buf);
    return tl__fail(err, errlen, "out of memory");
  }
  memcpy(tl__object, p, h.object_len);
  p += h.object_len;
  for (uint32_t i = 0; i < h.nfds; i++) { /* close-on-exec again */
    int one;
    memcpy(&one, p + i * sizeof one, sizeof one);
    fcntl(one, F_SETFD, FD_CLOEXEC);
  }
  free(buf);
  /* the fds stay open (close-on-exec again): this child may spawn too */
  {
    int shared[TL__SHARED] = {h.trace_fd, h.procs_fd, h.vp_fd, h.mpg_fd};
    for (int i = 0; i < TL__SHARED; i++)
      if (shared[i] >= 0) fcntl(shared[i], F_SETFD, FD_CLOEXEC);
  }
  if (!(tl_trace_global = tl_trace_attach(h.trace_fd)))
    return tl__fail(err, errlen, "cannot map the run's trace");
  if (tl__procs_attach(h.procs_fd, h.vpid, h.vparent, name) != 0)
    return tl__fail(err, errlen, "cannot map the run's process table");
  if (h.vp_fd >= 0 && tl_vp_attach(h.vp_fd) != 0)
    return tl__fail(err, errlen, "cannot map the run's scheduler");
  if (tl_mpgraph_attach(h.mpg_fd) != 0)
    return tl__fail(err, errlen, "cannot map the run's graph of mp locks");
  tl__vslot = h.vslot;
  tl__t0 = h.t0;
  tl__wall0 = h.wall0;
  tl__vnow = h.vnow;
  tl__is_spawned = 1;
  return 0;
}

/* _proc.spawn_object(): the Process this spawned child is to run, as its
 * parent pickled it; a function that is not a global of the main code
 * (run again here) is CPython's AttributeError. */
int tl__f_spawn_object(lua_State *L) {
  char err[600];
  int r;
  if (!tl__object) return 0;
  r = tl_pickle_loads(L, tl__object, tl__object_len, err, sizeof err);
  if (r == -3) {
    const char *q = strstr(err, "attribute '"), *e;
    if (q) q += strlen("attribute ");
    e = q ? strchr(q + 1, '\'') : NULL;
    char name[256];
    snprintf(name, sizeof name, "%.*s", e ? (int)(e - q - 1) : 0, q ? q + 1 : "");
    if (tl__main_is_file)
      return tl_raise(L, "AttributeError", "Can't get attribute '%s' on <module '__mp_main__' "
                      "from '%s'>", name, tl__main);
    return tl_raise(L, "AttributeError", "Can't get attribute '%s' on <module '__mp_main__' "
                    "(built-in)>: the main code came from %s, which a spawned child cannot "
                    "run again; put it in a script file", name, tl__main);
  }
  if (r < 0) return tl_raise(L, "UnpicklingError", "%s", err);
  return 1;
}

/* _proc.spawn_state() -> spawned, bootstrapping: whether this process is a
 * spawned child, and whether it is still running the main code again. */
int tl__f_spawn_state(lua_State *L) {
  lua_pushboolean(L, tl__is_spawned);
  lua_pushboolean(L, tl__booting);
  return 2;
}
