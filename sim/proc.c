/* Processes: os.fork and friends, as real forks of the whole program.
 *
 * A child is a real copy: every global copied, not shared, and only the
 * forking thread exists in it (the engine forgets the others, as CPython's
 * after-fork does). Its events reach the parent through the trace, which
 * lives in a MAP_SHARED mapping made at start-up.
 *
 * What every process of a run must agree on lives in a second small shared
 * mapping: how many processes are live or unreaped (the cap that contains a
 * fork bomb counts them all), the refusals, and the pid of each, so the top
 * process (a child subreaper: orphans come back to it) can kill and reap
 * everything at :reset, at exit, or when a fork bomb is contained. */
#include "engine.h"
#include "mpgraph.h"

#include <dirent.h>
#include <errno.h>
#include <lauxlib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TL__SLOTS 4096
#define TL__BOMB_REFUSALS 100
#define TL__TRIES 10 /* more tries at the cap before BlockingIOError (50 ms) */

typedef struct tl__shared {
  _Atomic int count;      /* processes live or unreaped, the top one not counted */
  _Atomic int refusals;   /* forks refused at the cap */
  _Atomic int bomb;       /* the run is being ended as a fork bomb */
  _Atomic int bomb_count; /* processes live or unreaped when it was found */
  _Atomic int prompt;     /* the top process's REPL shows its prompt */
  int max;
  int32_t top;
  int virtual_pids;       /* the run began on the virtual clock */
  _Atomic int32_t next_vpid;
  _Atomic int32_t vpid[TL__SLOTS]; /* its virtual pid (1001, 1002, ...) */
  _Atomic int32_t pid[TL__SLOTS];  /* 0: free */
  _Atomic int32_t ppid[TL__SLOTS];
  _Atomic uint64_t vend[TL__SLOTS]; /* the virtual time it exited at */
  char name[TL__SLOTS][48];         /* what the timeline calls it */
} tl__shared;

static tl__shared *tl__S;
static int tl__S_fd = -1;
static int tl__child;
static int32_t tl__vparent;        /* the parent's virtual pid (0: the top) */              /* this process is a child of the run */
static int32_t tl__vself = 1000;   /* this process's virtual pid */
static char tl__proc_name[64] = "MainProcess";
void (*tl_proc_after_fork_child)(void);

int tl_proc_is_child(void) { return tl__child; }
const char *tl_proc_name(void) { return tl__proc_name; }

void tl_procs_set_prompt(int yes) {
  if (tl__S && !tl__child) atomic_store(&tl__S->prompt, yes);
}

/* A child's whole line at the REPL prompt: it clears the prompt's line,
 * writes, and asks the top process to draw the prompt again. */
int tl__proc_over_prompt(void) {
  return tl__child && tl__S && atomic_load(&tl__S->prompt);
}
void tl__proc_redraw_prompt(void) {
  if (tl__S) kill(tl__S->top, TL_SIG_REDRAW);
}
int tl_proc_max(void) { return tl__S ? tl__S->max : 0; }
/* A process's state letter in /proc/PID/stat ('R', 'S', 'Z' ...), or 0
 * when there is no such process. */
char tl_proc_state(int32_t pid) {
  char path[64], buf[256], *p;
  FILE *f;
  size_t got;
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  if (!(f = fopen(path, "r"))) return 0;
  got = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[got] = 0;
  p = strrchr(buf, ')');
  return p && p[1] == ' ' ? p[2] : 0;
}

/* Processes of the run live or unreaped, this one not counted. */
int tl_proc_count(void) { return tl__S ? atomic_load(&tl__S->count) : 0; }
/* Processes the run has started, ended ones too (the top one not counted). */
int tl_proc_started(void) { return tl__S ? atomic_load(&tl__S->next_vpid) - 1001 : 0; }

/* ---- the table of processes ------------------------------------------- */

static int tl__slot_of(int32_t pid) {
  for (int i = 0; i < TL__SLOTS; i++)
    if (atomic_load(&tl__S->pid[i]) == pid) return i;
  return -1;
}

/* This process's pid: getpid() is a system call each time (glibc keeps
 * no copy), and Queue.put/get ask for it on every item, as CPython's do. */
static int32_t tl__mypid;

/* Pids as the program sees them: under a run begun on the virtual clock,
 * virtual (1000 the top process, then 1001, 1002 ... in the order of the
 * forks), so runs, traces and pictures are the same every time; else the
 * kernel's. */
static int32_t tl__to_virtual(int32_t real) {
  int i;
  if (!tl__S || !tl__S->virtual_pids || real <= 0) return real;
  if (real == tl__S->top) return 1000;
  if (real == getpid()) return tl__vself;
  i = tl__slot_of(real);
  return i >= 0 ? atomic_load(&tl__S->vpid[i]) : real;
}

static int32_t tl__to_real(int32_t pid) {
  if (!tl__S || !tl__S->virtual_pids || pid < 1000) return pid;
  if (pid == 1000) return tl__S->top;
  if (pid == tl__vself) return getpid();
  for (int i = 0; i < TL__SLOTS; i++)
    if (atomic_load(&tl__S->pid[i]) > 0 && atomic_load(&tl__S->vpid[i]) == pid)
      return atomic_load(&tl__S->pid[i]);
  return -1; /* no such process of this run */
}

int32_t tl_proc_self_pid(void) {
  if (tl__S && tl__S->virtual_pids) return tl__vself;
  return tl__mypid ? tl__mypid : (int32_t)getpid();
}

/* A place in the table for a process about to be made: pid -1 until the
 * fork returns, when both sides write the child's pid (the child before
 * its first event, so its end always has a place to record its time).
 * -1 when the table is full. */
static int tl__slot_reserve(int32_t ppid, const char *name, int32_t vpid) {
  for (int i = 0; i < TL__SLOTS; i++) {
    int32_t z = 0;
    if (atomic_compare_exchange_strong(&tl__S->pid[i], &z, -1)) {
      snprintf(tl__S->name[i], sizeof tl__S->name[i], "%.47s", name);
      atomic_store(&tl__S->vpid[i], vpid);
      atomic_store(&tl__S->ppid[i], ppid);
      atomic_store(&tl__S->vend[i], 0);
      return i;
    }
  }
  return -1;
}

/* The child's pid in its place: from either side of the fork (the same
 * value), and safe between a fork and an exec. */
void tl__proc_slot_set(int slot, int32_t pid) {
  if (slot >= 0) atomic_store(&tl__S->pid[slot], pid);
}

/* A child of this process was reaped with status st. */
static void tl__reaped(int32_t pid, int st) {
  int i = tl__slot_of(pid);
  int32_t shown = tl__to_virtual(pid);
  tl_vp_forget(pid);
  if (i >= 0) {
    uint64_t vend = atomic_load(&tl__S->vend[i]);
    atomic_store(&tl__S->pid[i], 0);
    atomic_fetch_sub(&tl__S->count, 1);
    /* the virtual clock: a process that waited for a child goes on from
     * the child's end, never before it */
    if (TL_VIRTUAL() && vend > atomic_load(&tl_W->v.now)) atomic_store(&tl_W->v.now, vend);
  }
  /* A child killed by a signal could not say it ended: its reaper does. */
  if (WIFSIGNALED(st) && tl_trace_global)
    tl_trace_emit(tl_trace_global, tl_clock_now(), shown, 0, TL_EV_EXIT, 0, 0, (uint64_t)(unsigned)st);
  if (tl_W) tl_emit(TL_EV_REAP, 0, (uint32_t)shown, (uint64_t)(unsigned)st);
}

static void tl__atfork_prepare(void) {
  /* a generator's switch-in not yet written is written now, once: the
   * child would otherwise write its copy too, under its own pid */
  if (tl__pend.on) tl__green_flush();
  if (tl_W) tl_mutex_lock(&tl_W->mu);
  tl__out_lock();
}

static void tl__atfork_parent(void) {
  tl__out_unlock();
  if (tl_W) tl_mutex_unlock(&tl_W->mu);
}

static void tl__atfork_child(void) {
  tl__mypid = (int32_t)getpid();
  tl__spin_after_fork();
  tl__out_reinit();
  if (tl_W) tl_mutex_init(&tl_W->mu); /* held by the forking thread: now free */
}

int tl_procs_init(int max_procs, int virtual_pids) {
  if (tl__S) {
    tl__S->max = max_procs;
    return 0;
  }
  /* a spawned threadlab (exec'd, not forked) maps it too */
  if (!(tl__S = tl_shared_map("threadlab-procs", sizeof *tl__S, &tl__S_fd))) return -1;
  tl__S->max = max_procs;
  tl__S->top = tl__mypid = (int32_t)getpid();
  tl__S->virtual_pids = virtual_pids;
  atomic_store(&tl__S->next_vpid, 1001);
  if (tl_vp_init() != 0) return -1;
  /* orphans of the run come back to threadlab, which reaps them */
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  tl_mpgraph_init(); /* mp locks' wait-for graph: before any fork, as this table */
  pthread_atfork(tl__atfork_prepare, tl__atfork_parent, tl__atfork_child);
  return 0;
}

/* Kills and reaps every process of the run: only the top process, which
 * every orphan comes back to. Returns how many were still there. Called by
 * MainThread (:reset, exit) and by the Ctrl-C thread (a bomb): one at a
 * time, and whichever comes first when a bomb was found ends the run. */
static tl_mutex tl__kill_mu = PTHREAD_MUTEX_INITIALIZER;

/* The kernel's list of this process's children (orphans included, as a
 * subreaper's), for those not in the table yet (forked a moment ago). */
static void tl__kill_listed_children(void) {
  DIR *d = opendir("/proc/self/task");
  struct dirent *e;
  if (!d) return;
  while ((e = readdir(d))) {
    char path[300];
    FILE *f;
    long pid;
    if (e->d_name[0] == '.') continue;
    snprintf(path, sizeof path, "/proc/self/task/%s/children", e->d_name);
    if (!(f = fopen(path, "r"))) continue;
    while (fscanf(f, "%ld", &pid) == 1)
      if (pid > 0) kill((pid_t)pid, SIGKILL);
    fclose(f);
  }
  closedir(d);
}

static int tl__kill_all_locked(void) {
  int killed = 0, rounds;
  for (rounds = 0; rounds < 20000; rounds++) {
    int st;
    pid_t p;
    for (int i = 0; i < TL__SLOTS; i++) {
      int32_t pid = atomic_load(&tl__S->pid[i]);
      if (pid > 0) kill(pid, SIGKILL);
    }
    tl__kill_listed_children();
    while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
      int i = tl__slot_of(p);
      killed++;
      if (i >= 0) {
        atomic_store(&tl__S->pid[i], 0);
        atomic_fetch_sub(&tl__S->count, 1);
      }
    }
    if (p < 0 && errno == ECHILD) break;
    {
      struct timespec ts = {0, 200000};
      nanosleep(&ts, NULL);
    }
  }
  atomic_store(&tl__S->count, 0);
  atomic_store(&tl__S->refusals, 0);
  for (int i = 0; i < TL__SLOTS; i++) atomic_store(&tl__S->pid[i], 0);
  tl_vp_reset();
  return killed;
}

/* The bomb's end: everything was killed and reaped; say so, exit 1. */
static void tl__bomb_exit(void) {
  char msg[128];
  int n = atomic_load(&tl__S->bomb_count);
  snprintf(msg, sizeof msg, "fork bomb contained: %d processes at the cap of %d\n",
           n > tl__S->max ? tl__S->max : n, tl__S->max);
  tl_write_out(1, msg, strlen(msg));
  _exit(1);
}

int tl_procs_kill_all(void) {
  int killed;
  if (!tl__S || tl__child) return 0;
  tl_mutex_lock(&tl__kill_mu);
  killed = tl__kill_all_locked();
  if (atomic_load(&tl__S->bomb)) tl__bomb_exit();
  tl_mutex_unlock(&tl__kill_mu);
  return killed;
}

/* The 100th refusal anywhere: the top process ends the run (its signal
 * thread calls this on TL_SIG_BOMB). */
void tl_procs_contain_bomb(void) {
  if (!tl__S || tl__child || !atomic_load(&tl__S->bomb)) return;
  tl_procs_kill_all();
}

/* ---- fork --------------------------------------------------------------- */

/* In the child: only the forking thread exists. The engine forgets the
 * others (their structs stay, so a lock they held still names its holder),
 * and the forking thread becomes the child's MainThread. */
static void tl__after_fork_child(tl_thread *self, lua_State *L, const char *name,
                                 int32_t vpid, int32_t vparent) {
  tl_world *w = tl_W;
  tl_thread *t, *next;
  tl__child = 1;
  tl__vself = vpid;
  tl__vparent = vparent;
  w->pid = tl_proc_self_pid();
  tl_cond_init(&w->gil.cond);
  tl_cond_init(&w->gil.switch_cond);
  tl_cond_init(&w->v.pace);
  tl_cond_init(&self->cv);
  for (t = w->live; t; t = next) {
    next = t->next;
    if (t == self) continue;
    t->ended = 1;
    t->forked_away = 1;
    atomic_fetch_add(&t->refs, 1); /* its Lua handle may go; the struct stays */
    if (t->object_ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, t->object_ref);
    if (t->state_ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, t->state_ref);
    t->object_ref = t->state_ref = LUA_NOREF;
  }
  self->next = self->prev = NULL;
  w->live = self;
  w->nlive = 1;
  w->main = self;
  w->main_pthread = pthread_self();
  w->gil.nwaiters = 0;
  w->gil.drop_request = 0;
  w->v.running = self;
  self->vs = TL_VS_RUN;
  /* a lesson's MainThread traces its lines for the window; a child's
   * lines are not the lesson's (and would slow it down) */
  self->trace_lines = 0;
  tl_gil_set_base_hook(self, L);
  tl__hosts_forget();
  if (tl_proc_after_fork_child) tl_proc_after_fork_child();
  snprintf(tl__proc_name, sizeof tl__proc_name, "%s", name);
  tl_emit_text(TL_EV_PROC_NAME, (uint32_t)vparent, name, strlen(name));
  tl_emit_text(TL_EV_THREAD_NEW, self->id, self->name, strlen(self->name));
  tl_emit(TL_EV_THREAD_START, 0, self->id, 0);
  tl_emit(TL_EV_GIL_ACQUIRE, 0, 0, 0); /* it forked holding its GIL: the child's */
  (void)L;
}

/* A place under the cap for one more process named name, its place in
 * the table (*slot) and its virtual pid; or a BlockingIOError. At the cap
 * a fork tries again a few times, 5 ms apart (a process about to be
 * reaped frees a slot), each try a refusal: a run that keeps hitting the
 * cap (TL__BOMB_REFUSALS) is a fork bomb, which the top process ends. A
 * bomb's processes each die of their first failed fork, so without the
 * tries they would stop short of it. */
int32_t tl__proc_reserve(lua_State *L, const char *name, int *slot) {
  int n;
  int32_t vpid;
  if (!tl__S) return tl_raise(L, "OSError", "processes are not available");
  for (int tries = 0;; tries++) {
    n = atomic_fetch_add(&tl__S->count, 1);
    if (n < tl__S->max) break;
    atomic_fetch_sub(&tl__S->count, 1);
    if (atomic_fetch_add(&tl__S->refusals, 1) + 1 == TL__BOMB_REFUSALS) {
      atomic_store(&tl__S->bomb_count, n);
      atomic_store(&tl__S->bomb, 1);
      kill(tl__S->top, TL_SIG_BOMB);
    }
    if (tries < TL__TRIES) {
      struct timespec ts = {0, 5000000};
      nanosleep(&ts, NULL);
      continue;
    }
    return tl_raise(L, "BlockingIOError",
                    "[Errno 11] Resource temporarily unavailable: threadlab's process cap "
                    "is reached (--max-procs %d: every live or unreaped process of the run)",
                    tl__S->max);
  }
  vpid = atomic_fetch_add(&tl__S->next_vpid, 1);
  *slot = tl__slot_reserve((int32_t)getpid(), name, vpid);
  return vpid;
}

/* The fork failed: its place under the cap and in the table are free
 * again. */
int tl__proc_unreserve(lua_State *L, int slot, int e) {
  tl__proc_slot_set(slot, 0);
  atomic_fetch_sub(&tl__S->count, 1);
  return tl_raise(L, e == EAGAIN ? "BlockingIOError" : "OSError", "[Errno %d] %s", e,
                  strerror(e));
}

/* The parent's side of a fork or a spawn once the child exists: its pid
 * in the table and the fork on the timeline (the child, on the virtual
 * clock, leaves no mark before its first turn). Returns the child's pid as
 * the program sees it. */
int32_t tl__proc_started(pid_t pid, int slot, int32_t vpid) {
  tl__proc_slot_set(slot, (int32_t)pid);
  if (!tl__S->virtual_pids) vpid = pid;
  tl_emit(TL_EV_FORK, 0, (uint32_t)vpid, 0);
  return vpid;
}

/* fork([name]): the name is what the timeline calls the child. */
static int tl__fork(lua_State *L, const char *name) {
  tl_thread *self = tl__self;
  char dflt[64];
  pid_t pid;
  int slot, vslot;
  int32_t vpid, vparent = tl_proc_self_pid();
  if (!name) {
    snprintf(dflt, sizeof dflt, "child of %d", (int)vparent);
    name = dflt;
  }
  vpid = tl__proc_reserve(L, name, &slot);
  vslot = TL_VIRTUAL() ? tl_vp_reserve() : -1; /* the child is in the run before it runs */
  fflush(stdout); /* nothing printed before the fork appears twice */
  fflush(stderr);
  pid = fork();
  if (pid != 0) tl_vp_forked(vslot, pid);
  if (pid < 0) return tl__proc_unreserve(L, slot, errno);
  if (pid == 0) {
    tl__proc_slot_set(slot, (int32_t)getpid());
    /* it waits for its first turn before it leaves any mark */
    tl_mutex_lock(&tl_W->mu);
    tl_vp_child(vslot);
    tl_mutex_unlock(&tl_W->mu);
    tl__after_fork_child(self, L, name, vpid, vparent);
    lua_pushinteger(L, 0);
    return 1;
  }
  lua_pushinteger(L, tl__proc_started(pid, slot, vpid));
  return 1;
}

/* ---- a spawned threadlab's side ------------------------------------------ */

int tl__procs_fd(void) { return tl__S_fd; }

/* A spawned threadlab joins the run: the table its parent made (fd, the
 * same number in every process), as the child vpid of vparent. */
int tl__procs_attach(int fd, int32_t vpid, int32_t vparent, const char *name) {
  tl__S = mmap(NULL, sizeof *tl__S, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (tl__S == MAP_FAILED) {
    tl__S = NULL;
    return -1;
  }
  tl__S_fd = fd;
  tl__child = 1;
  tl__mypid = (int32_t)getpid();
  tl__vself = vpid;
  tl__vparent = vparent;
  snprintf(tl__proc_name, sizeof tl__proc_name, "%s", name);
  pthread_atfork(tl__atfork_prepare, tl__atfork_parent, tl__atfork_child);
  return 0;
}

/* What this process is called on the timeline, and its parent's pid as
 * the trace shows it (0 for the top process). */
const char *tl_proc_title(uint32_t *vparent) {
  *vparent = (uint32_t)tl__vparent;
  return tl__proc_name;
}

static int f_fork(lua_State *L) { return tl__fork(L, NULL); }
static int f_fork_named(lua_State *L) { return tl__fork(L, luaL_optstring(L, 1, NULL)); }

/* ---- ending ------------------------------------------------------------- */

/* Tells the trace this process ends, hands its children to the top process
 * (they are orphans now) and records when it ended. */
static void tl__exiting(int status) {
  int32_t me = (int32_t)getpid();
  if (!tl__S) return;
  for (int i = 0; i < TL__SLOTS; i++) {
    int32_t pid = atomic_load(&tl__S->pid[i]);
    if (pid > 0 && atomic_load(&tl__S->ppid[i]) == me) {
      atomic_store(&tl__S->ppid[i], tl__S->top);
      if (tl_trace_global)
        tl_trace_emit(tl_trace_global, tl_clock_now(), tl__to_virtual(pid), 0, TL_EV_REPARENT,
                      0, (uint32_t)tl__to_virtual(tl__S->top), 0);
    }
  }
  {
    int i = tl__slot_of(me);
    if (i >= 0) atomic_store(&tl__S->vend[i], tl_clock_now());
  }
  if (tl_W && tl__self && atomic_load(&tl__self->holds_gil))
    tl_emit(TL_EV_GIL_RELEASE, TL_GIL_EXIT, 0, 0);
  if (tl_W) tl_emit(TL_EV_EXIT, 0, 0, (uint64_t)(unsigned)status);
  tl_vp_exit(); /* after its last mark: the next process goes on */
}

void tl_proc_exit(int code) {
  fflush(stdout);
  fflush(stderr);
  tl__exiting(code & 0xff);
  /* last: on the virtual clock its end may wait for its turn, and a host
   * idle that long exits on its own */
  if (tl_W && tl__child) tl__hosts_reap_idle();
  _exit(code);
}

/* os._exit(n): ends the process at once (no waiting for threads). */
static int f_exit_(lua_State *L) {
  int code = (int)luaL_optinteger(L, 1, 0);
  tl_proc_exit(code);
  return 0;
}

/* The run's end in a child: what was to run has run (status: its Lua
 * status); waits for its non-daemon threads, as Python's shutdown does,
 * and exits, never touching the parent's files, history or terminal. */
void tl_proc_child_end(lua_State *L, int status) {
  int code = status == LUA_OK ? 0 : 1;
  if (tl_world_wait_non_daemon(tl_W) == 130) code = 130;
  tl_proc_atexit(L);
  tl_proc_exit(code);
}

void tl_proc_atexit(lua_State *L) {
  lua_getfield(L, LUA_REGISTRYINDEX, "threadlab.mp");
  if (lua_istable(L, -1) && lua_getfield(L, -1, "_exit_function") == LUA_TFUNCTION) {
    lua_pushcfunction(L, tl_msghandler);
    lua_insert(L, -2);
    if (lua_pcall(L, 0, 0, -2) != LUA_OK) {
      tl_report_exception(L, -1, NULL);
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  } else {
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

/* _proc.child_end(code): multiprocessing's child has run its target. */
static int f_child_end(lua_State *L) {
  int code = (int)luaL_optinteger(L, 1, 0);
  if (tl_world_wait_non_daemon(tl_W) == 130 && code == 0) code = 1;
  tl_proc_exit(code);
  return 0;
}

/* _proc.write_err(s): whole lines to stderr, as print writes stdout. */
static int f_write_err(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  tl_write_out(1, s, len);
  return 0;
}

/* _proc.report(err, heading): the error as Python prints it, to stderr. */
static int f_report(lua_State *L) {
  lua_settop(L, 2);
  tl_report_exception(L, 1, luaL_optstring(L, 2, NULL));
  return 0;
}

/* ---- waiting ------------------------------------------------------------ */

/* The virtual clock: whether child pid (-1: any) has ended by the
 * scheduler's book, which says so before the kernel's zombie exists; then
 * it is reaped, waiting for the kernel if need be. So what a wait sees
 * never depends on how fast the machine buries a process. */
static pid_t tl__vreap(pid_t pid, int *st) {
  if (pid > 0) {
    int e = tl_vp_ended(pid);
    if (e < 0) return waitpid(pid, st, WNOHANG);
    return e ? waitpid(pid, st, 0) : 0;
  }
  for (int i = 0; i < TL__SLOTS; i++) {
    int32_t c = atomic_load(&tl__S->pid[i]);
    if (c > 0 && atomic_load(&tl__S->ppid[i]) == tl__mypid && tl_vp_ended(c) == 1)
      return waitpid(c, st, 0);
  }
  return waitpid(-1, st, WNOHANG); /* (one killed from outside) */
}

/* waitpid(pid, flags, timeout): waits with the GIL released, interruptibly,
 * polling (a blocked waitpid cannot be cut short). 0 when nothing ended
 * (WNOHANG or the timeout), or -1 with errno. On the virtual clock it
 * looks every virtual millisecond, the other processes running between. */
static pid_t tl__waitpid(lua_State *L, pid_t pid, int flags, double timeout, int *st) {
  tl_thread *self = tl__self;
  int virt = TL_VIRTUAL();
  uint64_t wall_end = timeout >= 0 && !virt ? tl_now_ns() + (uint64_t)(timeout * 1e9) : 0;
  uint64_t vend = timeout >= 0 && virt ? tl_deadline_in(timeout) : 0;
  uint64_t step = 20000;
  pid_t r;
  int cancelled = 0;
  if ((r = virt ? tl__vreap(pid, st) : waitpid(pid, st, WNOHANG)) != 0 || (flags & WNOHANG) ||
      timeout == 0)
    return r;
  tl_emit(TL_EV_JOIN, 2, (uint32_t)(pid > 0 ? tl__to_virtual(pid) : 0), 0);
  tl_mutex_lock(&tl_W->mu);
  TL_ALLOW_THREADS_BEGIN(self); /* (on the virtual clock too: the wait is drawn off the GIL) */
  for (;;) {
    if (virt) {
      uint64_t tick = tl_deadline_in(0.001);
      int e;
      self->vpoll = vend ? 0 : 2; /* (a child's end: see tl__poke_pollers) */
      e = tl__v_wait(self, TL_WAIT_INPUT, NULL, vend && vend < tick ? vend : tick);
      self->vpoll = 0;
      if (e == ECANCELED) {
        cancelled = 1;
        break;
      }
      tl_mutex_unlock(&tl_W->mu);
      r = tl__vreap(pid, st);
      if (r != 0) tl_vp_progress();
      tl_mutex_lock(&tl_W->mu);
      if (r != 0) break;
      if (vend && tl_clock_now() >= vend) break;
      continue;
    }
    if ((r = waitpid(pid, st, WNOHANG)) != 0) break;
    if (wall_end && tl_now_ns() >= wall_end) break;
    if (self->cancel) {
      cancelled = 1;
      break;
    }
    tl_mutex_unlock(&tl_W->mu);
    {
      struct timespec ts = {0, (long)step};
      nanosleep(&ts, NULL);
    }
    tl_mutex_lock(&tl_W->mu);
    if (step < 1000000) step *= 2; /* a zombie drawn longer than it lived is a lie */
  }
  TL_ALLOW_THREADS_END(self);
  tl_mutex_unlock(&tl_W->mu);
  tl_emit(TL_EV_JOIN_END, 2, (uint32_t)(pid > 0 ? tl__to_virtual(pid) : 0), 0);
  if (cancelled) tl_check_cancel(L);
  return r;
}

static int tl__push_wait(lua_State *L, pid_t r, int st) {
  if (r < 0) {
    if (errno == ECHILD) return tl_raise(L, "ChildProcessError", "[Errno 10] No child processes");
    return tl_raise(L, "OSError", "[Errno %d] %s", errno, strerror(errno));
  }
  {
    int32_t shown = r > 0 ? tl__to_virtual(r) : r; /* before the slot is freed */
    if (r > 0) tl__reaped(r, st);
    lua_pushinteger(L, shown);
  }
  lua_pushinteger(L, r > 0 ? st : 0);
  return 2;
}

static int f_wait(lua_State *L) {
  int st = 0;
  pid_t r = tl__waitpid(L, -1, 0, -1, &st);
  return tl__push_wait(L, r, st);
}

static int f_waitpid(lua_State *L) {
  int st = 0;
  pid_t pid = (pid_t)luaL_checkinteger(L, 1);
  int flags = (int)luaL_optinteger(L, 2, 0);
  pid_t r;
  if (pid > 0 && (pid = tl__to_real(pid)) < 0) pid = 0x7ffffff0; /* none: ECHILD */
  r = tl__waitpid(L, pid, flags, -1, &st);
  return tl__push_wait(L, r, st);
}

/* _proc.join(pid, timeout): nil on timeout, else the raw status. */
static int f_join(lua_State *L) {
  int st = 0;
  pid_t pid = tl__to_real((int32_t)luaL_checkinteger(L, 1));
  double timeout = lua_isnoneornil(L, 2) ? -1 : luaL_checknumber(L, 2);
  pid_t r;
  if (timeout < 0 && !lua_isnoneornil(L, 2)) timeout = 0;
  r = tl__waitpid(L, pid, 0, timeout, &st);
  if (r < 0) return tl_raise(L, "ChildProcessError", "[Errno 10] No child processes");
  if (r == 0) return 0;
  tl__reaped(r, st);
  lua_pushinteger(L, st);
  return 1;
}

/* _proc.poll(pid): the raw status if it ended (reaped now), else nil. */
static int f_poll(lua_State *L) {
  int st = 0;
  pid_t pid = tl__to_real((int32_t)luaL_checkinteger(L, 1));
  pid_t r = pid <= 0 ? -1 : TL_VIRTUAL() ? tl__vreap(pid, &st) : waitpid(pid, &st, WNOHANG);
  if (r <= 0) return 0;
  tl__reaped(r, st);
  lua_pushinteger(L, st);
  return 1;
}

/* ---- the rest of os ----------------------------------------------------- */

/* Until child pid is dead (a zombie), leaving it unreaped: 0, or -1 when
 * it is no child of this process. */
static int tl__await_dead(pid_t pid) {
  siginfo_t si;
  memset(&si, 0, sizeof si);
  return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT);
}

/* The virtual clock: a child killed while it waited for its turn never
 * runs again. Once the kernel has it dead, the book says it ended, so the
 * parent's next look reaps it, on every run alike. */
static void tl__vkilled(pid_t pid) {
  if (tl__await_dead(pid) == 0) tl_vp_mark_ended(pid);
}

static int f_kill(lua_State *L) {
  int32_t shown = (int32_t)luaL_checkinteger(L, 1);
  pid_t pid = tl__to_real(shown);
  int sig = (int)luaL_checkinteger(L, 2);
  if (pid < 0) return tl_raise(L, "ProcessLookupError", "[Errno 3] No such process");
  if (kill(pid, sig) != 0) {
    int e = errno;
    if (e == ESRCH) return tl_raise(L, "ProcessLookupError", "[Errno 3] No such process");
    return tl_raise(L, "OSError", "[Errno %d] %s", e, strerror(e));
  }
  tl_emit(TL_EV_KILL, 0, (uint32_t)shown, (uint64_t)sig);
  if (TL_VIRTUAL() && (sig == SIGKILL || sig == SIGTERM)) tl__vkilled(pid);
  return 0;
}

static int f_getpid(lua_State *L) {
  lua_pushinteger(L, tl_proc_self_pid());
  return 1;
}

static int f_getppid(lua_State *L) {
  lua_pushinteger(L, tl__to_virtual((int32_t)getppid()));
  return 1;
}

static int f_wifexited(lua_State *L) {
  lua_pushboolean(L, WIFEXITED((int)luaL_checkinteger(L, 1)));
  return 1;
}

static int f_wexitstatus(lua_State *L) {
  lua_pushinteger(L, WEXITSTATUS((int)luaL_checkinteger(L, 1)));
  return 1;
}

static int f_wifsignaled(lua_State *L) {
  lua_pushboolean(L, WIFSIGNALED((int)luaL_checkinteger(L, 1)));
  return 1;
}

static int f_wtermsig(lua_State *L) {
  lua_pushinteger(L, WTERMSIG((int)luaL_checkinteger(L, 1)));
  return 1;
}

/* os.exit in a child ends the child as a child (never the parent's exit
 * path: its files, its history, its terminal). */
static int f_exit(lua_State *L) {
  int code;
  if (lua_isnoneornil(L, 1) || lua_isboolean(L, 1))
    code = lua_isnoneornil(L, 1) || lua_toboolean(L, 1) ? 0 : 1;
  else
    code = (int)luaL_checkinteger(L, 1);
  if (tl__child) tl_proc_exit(code);
  lua_pushvalue(L, lua_upvalueindex(1)); /* Lua's own os.exit */
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 0);
  return 0;
}

static int f_name(lua_State *L) {
  if (lua_isstring(L, 1)) {
    const char *s = lua_tostring(L, 1);
    snprintf(tl__proc_name, sizeof tl__proc_name, "%s", s);
    tl_emit_text(TL_EV_PROC_NAME, 0, s, strlen(s));
  }
  lua_pushstring(L, tl__proc_name);
  return 1;
}

/* processes() -> {{pid=, ppid=, name=, state=, threads=}, ...}: every
 * process of the run but the top one, from the shared table and /proc,
 * for :threads (their threads live in their own address spaces). */
static int f_processes(lua_State *L) {
  int n = 0;
  lua_newtable(L);
  for (int i = 0; tl__S && i < TL__SLOTS; i++) {
    int32_t pid = atomic_load(&tl__S->pid[i]);
    char path[64], buf[512], *p;
    const char *state = "gone";
    int threads = 0;
    FILE *f;
    if (pid <= 0) continue;
    /* the virtual clock: a process the book says has ended is shown as
     * the kernel will have it a moment later, on every run alike */
    if (TL_VIRTUAL() && tl_vp_ended(pid) == 1) tl__await_dead(pid);
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    if ((f = fopen(path, "r"))) {
      size_t got = fread(buf, 1, sizeof buf - 1, f);
      fclose(f);
      buf[got] = 0;
      if ((p = strrchr(buf, ')')) && p[1] == ' ') {
        char st = p[2];
        state = st == 'Z' ? "zombie (exited, not yet reaped)" : st == 'R' ? "running"
              : st == 'T' || st == 't' ? "stopped" : "waiting or sleeping";
        /* field 20 of stat: the number of threads (the 18th space after
         * the name's ')': the first comes before field 3) */
        for (int k = 0; k < 18 && p; k++) p = strchr(p + 1, ' ');
        if (p) threads = atoi(p + 1);
      }
    }
    lua_createtable(L, 0, 5);
    lua_pushinteger(L, tl__to_virtual(pid));
    lua_setfield(L, -2, "pid");
    lua_pushinteger(L, tl__to_virtual(atomic_load(&tl__S->ppid[i])));
    lua_setfield(L, -2, "ppid");
    lua_pushstring(L, tl__S->name[i]);
    lua_setfield(L, -2, "name");
    lua_pushstring(L, state);
    lua_setfield(L, -2, "state");
    lua_pushinteger(L, threads);
    lua_setfield(L, -2, "threads");
    lua_rawseti(L, -2, ++n);
  }
  return 1;
}

static int f_is_child(lua_State *L) {
  lua_pushboolean(L, tl__child);
  return 1;
}

static int f_cpu_count(lua_State *L) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  lua_pushinteger(L, n > 0 ? n : 1);
  return 1;
}

/* Adds the process functions to os, makes signal, and returns _proc (for
 * multiprocessing.lua). */
int luaopen_tl_proc(lua_State *L) {
  static const luaL_Reg os_funcs[] = {
    { "fork",        f_fork        },
    { "getpid",      f_getpid      },
    { "getppid",     f_getppid     },
    { "wait",        f_wait        },
    { "waitpid",     f_waitpid     },
    { "_exit",       f_exit_       },
    { "kill",        f_kill        },
    { "WIFEXITED",   f_wifexited   },
    { "WEXITSTATUS", f_wexitstatus },
    { "WIFSIGNALED", f_wifsignaled },
    { "WTERMSIG",    f_wtermsig    },
    { NULL,          NULL          }
  };
  static const luaL_Reg lib[] = {
    { "fork",         f_fork_named       },
    { "join",         f_join             },
    { "poll",         f_poll             },
    { "name",         f_name             },
    { "is_child",     f_is_child         },
    { "processes",    f_processes        },
    { "cpu_count",    f_cpu_count        },
    { "child_end",    f_child_end        },
    { "report",       f_report           },
    { "write_err",    f_write_err        },
    { "spawn",        tl__f_spawn        },
    { "spawn_object", tl__f_spawn_object },
    { "spawn_state",  tl__f_spawn_state  },
    { NULL,           NULL               },
  };
  static const tl_int_const sigs[] = {
    { "SIGINT", SIGINT }, { "SIGKILL", SIGKILL }, { "SIGTERM", SIGTERM },
    { "SIGCHLD", SIGCHLD }, { "SIGUSR1", SIGUSR1 }, { "SIGHUP", SIGHUP }
  };
  lua_getglobal(L, "os");
  luaL_setfuncs(L, os_funcs, 0);
  lua_pushinteger(L, WNOHANG);
  lua_setfield(L, -2, "WNOHANG");
  lua_getfield(L, -1, "exit");
  lua_pushcclosure(L, f_exit, 1);
  lua_setfield(L, -2, "exit");
  lua_pop(L, 1);
  lua_createtable(L, 0, 8);
  tl_set_ints(L, sigs, sizeof sigs / sizeof *sigs);
  lua_setglobal(L, "signal");
  /* sys.executable, as Python's: this threadlab (a lesson runs a program
   * in a threadlab of its own to show how a whole run ends) */
  {
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    lua_createtable(L, 0, 1);
    lua_pushlstring(L, exe, n > 0 ? (size_t)n : 0);
    lua_setfield(L, -2, "executable");
    lua_setglobal(L, "sys");
  }
  luaL_newlib(L, lib);
  lua_pushcfunction(L, tl_msghandler);
  lua_setfield(L, -2, "msgh");
  return 1;
}
