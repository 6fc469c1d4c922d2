/* The engine: one Lua VM shared by real pthreads under a GIL.
 *
 * Everything a thread can wait for (the GIL, a lock, another thread's end, a
 * timeout) is state under the one world mutex, and every wait is a wait on
 * the waiting thread's own condition variable, so any wait can be cut short
 * by cancelling the thread (Ctrl-C, :reset, exit). Lua code runs only while
 * the running thread holds the GIL. */
#ifndef TL_ENGINE_H
#define TL_ENGINE_H

#include <lua.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>

#include "tl_sync.h"
#include "trace.h"

enum tl_gil_policy { TL_POLICY_PY3, TL_POLICY_PY2, TL_POLICY_NONE };
enum tl_clock_kind { TL_CLOCK_REAL, TL_CLOCK_VIRTUAL };
enum tl_sched_mode { TL_SCHED_AUTO, TL_SCHED_MANUAL };

/* Where a thread stands with the virtual scheduler. Exactly one thread runs
 * (holds the baton) at a time; the rest are parked on their condvars. */
enum tl_vstate {
  TL_VS_NEW = 0,  /* not yet known to the scheduler */
  TL_VS_RUN,      /* holds the baton: the only thread executing */
  TL_VS_READY,    /* wants to run (the GIL, or to return from a wait) */
  TL_VS_BLOCKED,  /* in tl__wait, maybe until vdeadline */
  TL_VS_OUTSIDE,  /* MainThread at the REPL prompt: not in the world */
  TL_VS_DONE
};
enum tl_switch_points { TL_SWITCH_INSTRUCTION, TL_SWITCH_STATEMENT };

/* Why a thread is asked to stop what it is doing. */
enum tl_cancel {
  TL_CANCEL_NONE = 0,
  TL_CANCEL_INTERRUPT = 1, /* Ctrl-C: KeyboardInterrupt, raised once */
  TL_CANCEL_DEADLOCK = 2,  /* MainThread waits on a deadlock: DeadlockError, once */
  TL_CANCEL_KILL = 3       /* :reset or exit: raised again and again */
};

/* What a thread waits for; shown by :threads and drawn by the views. */
enum tl_wait_kind {
  TL_WAIT_NONE, TL_WAIT_GIL, TL_WAIT_LOCK, TL_WAIT_JOIN, TL_WAIT_SLEEP,
  TL_WAIT_START, TL_WAIT_INPUT, TL_WAIT_COMPUTE, TL_WAIT_IO
};

typedef struct tl_thread tl_thread;
struct tl_thread {
  uint32_t id;            /* 1 = MainThread */
  long os_tid;            /* the kernel's id, as /proc/PID/task lists it */
  pthread_t pthread;
  lua_State *L;           /* the thread's own Lua thread */
  lua_State *_Atomic cur_L; /* the state running now; hooks go here */
  int state_ref;          /* registry ref anchoring L while it runs */
  int object_ref;         /* registry ref to the Lua Thread object */
  char *name;
  int daemon;
  int started, ended;
  tl_cond cv;             /* every wait of this thread waits here */
  int wait_kind;          /* enum tl_wait_kind, under the world mutex */
  const void *wait_obj;
  tl_thread *starter;     /* who waits in start() for this one */
  int cancel;             /* enum tl_cancel, under the world mutex */
  _Atomic int holds_gil;  /* written only by the thread itself */
  _Atomic int hook_wanted;
  _Atomic int ticking;    /* py2: its base hook counts check-interval ticks */
  _Atomic uint32_t wakes;  /* bumped by tl__wake: a spinning waiter sees it */
  volatile sig_atomic_t in_hook;
  int primed;             /* the switch hook saw its first event */
  int py2_tick;           /* py2: a check-interval tick waits for its line */
  uint64_t rng;           /* where in a statement an instruction switch falls */
  _Atomic int refs;       /* Lua handle + the running pthread */
  tl_thread *next, *prev; /* the world's live list */
  tl_thread *wnext, *wprev; /* a lock's waiter list */
  void *held;             /* lockorder.c: the locks it holds (locks.h); GIL */
  uint8_t wait_timed;     /* deadlock.c: its lock/join wait has a deadline */
  uint8_t frozen;         /* deadlock.c: found deadlocked: 1 + daemon before */
  uint8_t mp_stuck;       /* deadlock.c: in a cycle of mp locks (mpgraph.c) */
  uint8_t forked_away;    /* proc.c: did not survive a fork into this child */
  /* The virtual clock (vclock.c), under the world mutex. */
  int vs;                 /* enum tl_vstate */
  uint64_t vready_since;  /* when it became ready */
  uint64_t vdeadline;     /* blocked until then (0 = no timeout) */
  uint8_t io_forever;     /* its I/O wait has no timeout (io.c, virtual clock) */
  uint8_t vpoll;          /* its deadline is a look, not a timeout: 1 for I/O or a
                           * message from another process, 2 for a child's end */
  uint8_t vhang;          /* every process of the run is stuck: its wait is a hang */
  int vtimedout;
  int vswitch;            /* a forced switch waits for the next switch point */
  int vcount;             /* instructions the count hook was set to */
  int vticks;             /* py2: instructions since the last tick */
  int vbudget;            /* manual: statements left before it yields */
  uint64_t vstep_mark;    /* manual: a marker (trace string) its next step draws first */
  uint64_t vstep_ns;      /* manual: virtual time its next step takes at least */
  int vstep_access;       /* manual: its step ends at its next shared access (lab._pause) */
  int vlines;             /* the line hook is on */
  int trace_lines;        /* traces each line it starts (a lesson's MainThread) */
  int traced_line;        /* the line traced last: a loop on one line is one event */
  uint64_t vdebt;         /* builtin costs not yet charged (see tl_v_charge) */
  int joiners;            /* threads in join() waiting for this one; world mutex */
  char waits_for[64];     /* what a primitive's wait is for ("Event Event-3"),
                           * set by the Lua halves (GIL) for :threads */
  int in_wait;            /* in tl__wait (the real clock); world mutex */
  int sock_io;            /* has made a socket call without the GIL (io.c); world mutex */
  int gil_forced;         /* gave the GIL up on request: its next wait sleeps (gil.c); world mutex */
  int deferred;           /* woken, its pthread not yet (engine.c); world mutex */
  tl_thread *dnext, *dprev;
};

typedef struct tl_gil {
  int locked;
  _Atomic uint32_t held_hint; /* locked, readable without the world mutex */
  tl_thread *holder;
  uint32_t last_holder;  /* id of the thread that released it last */
  uint64_t switch_number;
  int drop_request;
  _Atomic int nwaiters;    /* readable without the world mutex, as a hint */
  int woke_one;        /* the holder woke a thread since it took the GIL */
  uint64_t release_gen;
  _Atomic uint32_t holder_id; /* the holder's id, readable without the mutex */
  _Atomic int py2_sleepers;   /* py2 waiters asleep on held_hint (a futex) */
  /* A release not yet in the trace (tl__gil_release_quiet_locked): the
   * releaser, or TL__GIL_SAYING while one writes it; its id and time. */
  _Atomic(struct tl_thread *) unsaid;
  uint32_t unsaid_id;
  uint64_t unsaid_t;
  tl_cond cond;        /* GIL waiters (py3) */
  tl_cond switch_cond; /* py3 forced switching: the dropper waits here */
} tl_gil;

typedef struct tl_config {
  int clock;               /* enum tl_clock_kind */
  int sched;               /* enum tl_sched_mode */
  uint64_t seed;
  double speed;            /* virtual seconds per wall second; 0 = unpaced */
  int cores;
  uint64_t instr_ns;       /* virtual cost of one Lua instruction */
  double preempt;          /* lab.explore: chance per tick of a forced switch */
  size_t memory_limit;     /* bytes Lua may hold: a memory bomb's ceiling */
  int policy;              /* enum tl_gil_policy */
  int switch_points;       /* enum tl_switch_points */
  uint64_t switch_interval_ns;
  int check_interval;
  int max_threads;         /* threads that may run at once, MainThread aside */
  int sandbox;             /* 1: asked for (--sandbox); 2: applied to the Lua state */
  const char *record_dir;  /* --record-dir: where the sandbox may write */
} tl_config;

typedef struct tl_world {
  lua_State *L;
  tl_mutex mu;
  tl_thread *main;
  tl_thread *live;         /* every started, not yet ended thread */
  int nlive;
  int njoin_any;           /* threads waiting for any thread's end (exit, :reset) */
  uint32_t next_tid;
  tl_gil gil;
  tl_config cfg;
  uint64_t t0;
  int32_t pid;
  pthread_t main_pthread;
  size_t mem_used;         /* by Lua; under the GIL */
  struct tl_vsched {
    _Atomic uint64_t now;  /* virtual ns since the world began */
    tl_thread *running;    /* holds the baton; NULL when the world idles */
    uint64_t rng;          /* every choice comes from here: the seed */
    uint64_t wall0;        /* pacing: the wall time of virtual 0 */
    int paused;
    int scheduling;        /* a scheduler loop is running (it may pace) */
    uint64_t paused_at;
    tl_cond pace;          /* pacing and pausing sleep here */
  } v;
} tl_world;

extern tl_world *tl_W;
extern _Thread_local tl_thread *tl__self;

/* World life cycle (engine.c). */
tl_world *tl_world_create(const tl_config *cfg);
/* Waits for the non-daemon threads to end, as Python does at exit;
 * interruptible: returns 130 on Ctrl-C, else 0. MainThread holds the GIL. */
int tl_world_wait_non_daemon(tl_world *w);
/* Cancels every other thread, joins every pthread, closes Lua, frees. */
void tl_world_destroy(tl_world *w);
/* Cancels every thread but MainThread and waits until all have ended. */
void tl_world_cancel_all(tl_world *w);

uint64_t tl_clock_now(void);        /* ns since the world began */
/* Under the virtual clock a traced builtin costs a little time (tl_emit
 * charges it), so a program of nothing but builtins still moves the clock. */
#define TL_BUILTIN_NS 50
void tl_emit(uint16_t kind, uint16_t reason, uint32_t obj, uint64_t arg);
void tl_emit_text(uint16_t kind, uint32_t obj, const char *s, size_t len);
/* An event on another thread's behalf (the scheduler records a waiter's
 * drop request or failed wake-up). */
void tl_emit_as(const tl_thread *t, uint16_t kind, uint16_t reason, uint32_t obj, uint64_t arg);
/* An event of this thread on the real clock, written without the GIL or
 * the world mutex (a socket call's wait, io.c): the clock in use is not
 * looked up, since the holder may be changing the configuration. */
void tl_emit_real(uint16_t kind, uint16_t reason, uint32_t obj, uint64_t arg);
/* A generator's switch into its lane, not yet written (greenlib.c): a
 * send whose body writes nothing is one event for its round trip (both
 * switches, both times). Any other event this thread writes first writes
 * the switch in, as it was (tl__green_flush), so the order of a thread's
 * own events never changes. */
typedef struct tl__green_pend {
  uint64_t t;        /* the switch in: when */
  uint32_t to, from; /* the lanes */
  uint32_t tid;      /* the thread */
  int on;
} tl__green_pend;
extern _Thread_local tl__green_pend tl__pend;
void tl__green_flush(void);
/* Names what a waiting thread waits for ("Lock A"); set by the module that
 * knows the object (deadlock.c), NULL for generic words. */
extern int (*tl__describe_obj)(int wait_kind, const void *obj, char *buf, size_t n, int hang);

/* A deadline `seconds` from now on the world's clock, for tl__wait; 0 (no
 * deadline) when seconds is negative. */
uint64_t tl_deadline_in(double seconds);

/* Spins (the world mutex released) until *flag != unwanted or about
 * TL_SPIN_NS pass; returns whether it changed. A handoff to a thread
 * that is spinning costs no wake-up of a sleeping CPU, which on a
 * virtual machine costs tens of microseconds. Only while a CPU is free:
 * otherwise the spinner takes the CPU another thread needs, and spins
 * busy_ns at most (0: not at all). */
#define TL_SPIN_NS 30000
#define TL_MAX_SPINNERS 1
int tl__spin_while(const _Atomic uint32_t *flag, uint32_t unwanted, uint64_t busy_ns);
/* The same for a readiness that only a call can tell (a descriptor's
 * poll with no timeout: ready(arg, 0)); returns ready's last answer, or
 * -1 when it did not spin at all (every CPU wanted, or another spinner). */
int tl__spin_until(int (*ready)(void *arg, int slice_ms), void *arg);
/* tl__spin_until for a descriptor's wait, when this thread's recent waits
 * say it pays (-1: not this time); tl__spin_learn tells it how long the
 * wait took from the spin's start (TL_SPIN_WORTH_NS or more: too long). */
#define TL_SPIN_WORTH_NS 100000u
int tl__spin_learnt(int (*ready)(void *arg, int slice_ms), void *arg);
void tl__spin_learn(uint64_t waited_ns);
void tl__spin_after_fork(void);
/* Tells the spin which clock runs (whenever the configuration changes). */
void tl__spin_clock(int clock);

/* Waiting, with the world mutex held: waits on self->cv until woken,
 * cancelled, or the deadline (from tl_deadline_in; 0 = none). Returns 0
 * when woken (check your condition again), ETIMEDOUT, or ECANCELED. */
int tl__wait(tl_thread *self, int kind, const void *obj, uint64_t deadline);
void tl__wake(tl_thread *t);
/* Wakes the first thread whose wake-up waits for the GIL to be released
 * (world mutex held), and takes a thread off that queue. */
void tl__wake_deferred(void);
void tl__deferred_unlink(tl_thread *t);

/* Cancels t (with the world mutex held): wakes any wait and makes running
 * Lua code raise at its next instruction. */
void tl__cancel(tl_thread *t, int how);
/* Raises the pending cancellation as a Lua error, if any (GIL held). */
void tl_check_cancel(lua_State *L);

/* The virtual clock (vclock.c), all with the world mutex held. */
#define TL_VIRTUAL() (tl_W->cfg.clock == TL_CLOCK_VIRTUAL)
void tl__v_init(tl_world *w);
void tl__v_take(tl_thread *t);
void tl__v_release(tl_thread *t, int reason);
int tl__v_wait(tl_thread *t, int kind, const void *obj, uint64_t deadline);
void tl__v_wake(tl_thread *t);
/* Hands the baton on (the caller gives it up, or the world idles). */
void tl__v_schedule(void);
/* The count/line hook's work under the virtual clock (world mutex not held). */
void tl__v_hook(tl_thread *t, lua_State *L, lua_Debug *ar);
/* Burns virtual time on the running thread (world mutex not held). */
void tl_v_charge(uint64_t ns);
/* A long CPU burst by the running thread: the clock moves at once. */
void tl_v_burn(uint64_t ns);
void tl_v_set_paused(int paused);
void tl_v_set_speed(double speed);
void tl_v_reseed(uint64_t seed);
/* Switches clocks; only while MainThread is alone. -1 with a reason. */
int tl_v_set_clock(int clock, char *err, size_t errlen);
/* Manual scheduling: lets t (NULL: the scheduler's own choice) run that
 * many statements, or until it blocks or ends; the caller, MainThread at
 * the REPL, waits meanwhile. -1 with a reason when t cannot run. */
int tl_v_run(tl_thread *self, tl_thread *t, int statements, char *err, size_t errlen);
/* The same, one step drawn as a move: the marker `label` on t's row, and
 * at least ns of virtual time, so every move of a challenge shows. */
int tl_v_move(tl_thread *self, tl_thread *t, const char *label, uint64_t ns, int access,
              char *err, size_t errlen);
/* Called by the thread itself right after a read or a write of a shared
 * global: ends its step there if the step was a move by access (a read
 * and a write inside one statement are two moves). */
void tl_v_pause_after_access(tl_thread *t);

/* vproc.c: the virtual clock across processes (world mutex held where a
 * turn may be waited for). */
int tl_vp_init(void);
int tl_vp_on(void);
int tl_vp_turn(int ready, uint64_t at, int stuck);
void tl_vp_idle(void);
void tl_vp_progress(void);
int tl_vp_someone_before(uint64_t t);
void tl_vp_tick(uint64_t now);
void tl_vp_switch_point(void);
int tl_vp_computing(void);
int tl_vp_reserve(void);
void tl_vp_forked(int slot, int32_t pid);
void tl_vp_child(int slot);
void tl_vp_exit(void);
int tl_vp_ended(int32_t pid);
void tl_vp_mark_ended(int32_t pid);
void tl_vp_forget(int32_t pid);
void tl_vp_reset(void);
/* The scheduler's shared memory (a memfd, -1 if anonymous), and a spawned
 * threadlab mapping it (0, or -1). */
int tl_vp_fd(void);
int tl_vp_attach(int fd);
uint64_t tl__v_rand(uint64_t n);
/* Describes every thread's wait, for hang reports and :threads. */
char *tl__describe_waits(int hang);
/* Stepping out of the world and back in: MainThread around the REPL prompt
 * (the real clock: GIL release and take). */
void tl_leave_world(tl_thread *self);
void tl_enter_world(tl_thread *self);

/* The GIL (gil.c). */
void tl_gil_init(tl_gil *g);
void tl_gil_take(tl_thread *t);                  /* world mutex not held */
void tl_gil_release(tl_thread *t, int reason);   /* world mutex not held */
void tl__gil_take_locked(tl_thread *t);
void tl__gil_release_locked(tl_thread *t, int reason);
/* Around a system call that seldom blocks (the real clock's socket and
 * descriptor calls, tl_io_nogil): the GIL is let go as
 * TL_ALLOW_THREADS_BEGIN does, but its release goes into the trace only
 * once it matters: when another thread takes the GIL (it writes the
 * release first, with its own time) or the releaser is about to write
 * an event of its own (tl_gil_say_release, no world mutex needed). Taken
 * back with nobody having had it, neither the release nor the take is
 * written: a write or recv that did not wait is not two GIL events. */
void tl__gil_release_quiet_locked(tl_thread *t);
void tl__gil_take_quiet_locked(tl_thread *t);
void tl_gil_say_release(tl_thread *t);
/* Called when a thread gets a Lua state to run: sets the policy's hook. */
void tl_gil_set_base_hook(tl_thread *t, lua_State *L);
void tl__switch_hook(tl_thread *t, lua_State *L);
void tl__hook(lua_State *L, lua_Debug *ar);
void tl__v_base_hook(tl_thread *t, lua_State *L);
int tl__next_rand(tl_thread *t, int n);
/* Asks the running holder to run the hook soon (world mutex held). */
void tl__gil_poke(tl_thread *holder);
void tl_gil_install_signal(void);
/* Applies a new configuration (GIL held by the caller). */
void tl_gil_configure(const tl_config *cfg);

/* Blocking-call brackets: release the GIL around a wait, as
 * Py_BEGIN_ALLOW_THREADS / Py_END_ALLOW_THREADS do. */
#define TL_ALLOW_THREADS_BEGIN(t) tl__gil_release_locked((t), TL_GIL_BLOCKING)
#define TL_ALLOW_THREADS_END(t) tl__gil_take_locked(t)

/* Whole lines to stdout/stderr, never torn by another thread (base.c). */
void tl_write_out(int to_stderr, const char *s, size_t len);
/* Around a fork (proc.c): the output lock is held across it. */
void tl__out_lock(void);
void tl__out_unlock(void);
void tl__out_reinit(void);
int tl__proc_over_prompt(void);
void tl__proc_redraw_prompt(void);
/* The same for n pieces written as one (a newline after them if asked). */
void tl_write_parts(int to_stderr, const char *const *parts, const size_t *lens, int n,
                   int newline);
long tl_gettid(void);

/* Errors as Python-style objects (errors.c). */
int tl_raise(lua_State *L, const char *type, const char *fmt, ...);
int tl_raise_hang(lua_State *L, const char *fmt, ...);
void tl_push_error(lua_State *L, const char *type, const char *msg);
/* Writes the error at idx (as tl_msghandler left it) to stderr as Python
 * prints it: heading (may be NULL), "Traceback (most recent call last):",
 * the frames oldest first, "Type: message". Never raises; falls back to
 * fixed text when even that cannot be done. */
void tl_report_exception(lua_State *L, int idx, const char *heading);
/* The error at idx ended the running thread: calls threading.excepthook
 * with args {exc_type, exc_value, exc_traceback, thread}; never raises. */
void tl_thread_excepthook(lua_State *L, int idx, int thread_ref, const char *name);
/* Pushes threading.excepthook's default. */
void tl_errors_open(lua_State *L);
/* Whether the value at idx is an error object of class type (exactly). */
int tl_is_error(lua_State *L, int idx, const char *type);
/* The one test for "is this error a KeyboardInterrupt" (C and, as
 * threading._prim.is_interrupt, Lua). */
#define tl_is_interrupt(L, idx) tl_is_error((L), (idx), "KeyboardInterrupt")
/* What a MemoryError says: the cap, and the option that raises it. */
void tl_memory_error_text(char *buf, size_t size);
/* Message handler for lua_pcall: attaches a traceback to the error. */
int tl_msghandler(lua_State *L);
/* Argument checks (errors.c): each raises a TypeError (ValueError for a
 * NaN) naming fname and arg. */
int tl_arg_error(lua_State *L, const char *fname, const char *arg, const char *expected,
                 int idx);
/* The table at idx has only the keyword fields named in allowed (NULL
 * ended): "Thread() got an unexpected keyword argument 'targt'". */
void tl_check_kwargs(lua_State *L, int idx, const char *fname, const char *const *allowed);
/* nil/none -> -1, else a number that is not NaN (the caller checks < 0). */
double tl_check_timeout(lua_State *L, int idx, const char *fname, const char *arg);
/* A number with no fraction: 3 and 3.0, never 1.5 or NaN. */
lua_Integer tl_check_whole(lua_State *L, int idx, const char *fname, const char *arg);
const char *tl_check_str(lua_State *L, int idx, const char *fname, const char *arg);
double tl_check_number(lua_State *L, int idx, const char *fname, const char *arg);
/* A string from list (NULL ended): its index; else a ValueError listing them. */
int tl_check_option(lua_State *L, int idx, const char *fname, const char *arg,
                    const char *const *list);
/* The part "arg_checks": kwargs, timeout, whole, argerror for errors.lua. */
int tl_open_arg_checks(lua_State *L);
/* A Lua library's "bad argument" string error as a TypeError object
 * (pcall and the message handler turn it: callers see a typed error). */
void tl_typed_error(lua_State *L, int idx);
/* While above 0 the calling thread may allocate a little past the memory
 * limit: reporting a MemoryError needs a few bytes. */
extern _Thread_local int tl__mem_grace;

/* Threads (thread.c). */
void tl__thread_unref(tl_thread *t);
tl_thread *tl__thread_new(const char *name, int daemon);
/* Runs t's Lua function on the calling pthread, start to end. */
void tl__thread_run(tl_thread *t);
/* Host pthreads (host.c), with the world mutex held for start: runs t on
 * a parked pthread or a new one; 0 or an errno. */
int tl__host_start(tl_thread *t);
/* Joins the host pthreads that have exited; with all, every one. */
void tl__hosts_reap(int all);
/* In a forked child: the parked pthreads were not copied. */
void tl__hosts_forget(void);
/* Before a child's _exit: joins the pthreads that run no Thread (host.c). */
void tl__hosts_reap_idle(void);

/* Processes (proc.c). Made once at start-up, before any fork: the shared
 * table, the cap, the subreaper; -1 if the mapping fails. */
int tl_procs_init(int max_procs, int virtual_pids);
/* This process's pid as the program sees it (virtual under a run begun on
 * the virtual clock: 1000, 1001, ...). */
int32_t tl_proc_self_pid(void);
int tl_proc_max(void);
int tl_proc_count(void);
int tl_proc_started(void);
char tl_proc_state(int32_t pid);
int tl_proc_is_child(void);
/* This process's name ("MainProcess", "Process-1"). */
const char *tl_proc_name(void);
/* A child's end once what it had to run has run: waits for its non-daemon
 * threads and exits (never returns). */
void tl_proc_child_end(lua_State *L, int status);
/* multiprocessing's end-of-main-code work: daemonic children terminated,
 * the rest joined (as CPython's atexit hook); errors printed. */
void tl_proc_atexit(lua_State *L);
/* Ends this process as a child ends: its EXIT in the trace, _exit. */
void tl_proc_exit(int code);
/* The top process: kill and reap every process of the run; how many. */
int tl_procs_kill_all(void);
/* The signal a child sends the top process when the cap was hit 100 times
 * (SIGUSR2 is the GIL's poke, SIGUSR1 stops the Ctrl-C thread). */
#define TL_SIG_BOMB (SIGRTMIN + 2)
/* A child printed while the top process shows its prompt: draw it again. */
#define TL_SIG_REDRAW (SIGRTMIN + 3)
/* The top process's REPL shows its prompt (children print around it). */
void tl_procs_set_prompt(int yes);
/* The top process, told by a child that the cap was hit 100 times. */
void tl_procs_contain_bomb(void);
/* Set by the front: what a new child needs besides the engine (Ctrl-C). */
extern void (*tl_proc_after_fork_child)(void);
/* What this process is called on the timeline ("MainProcess", "Process-1")
 * and its parent's pid as the trace shows it (0: none). */
const char *tl_proc_title(uint32_t *vparent);
/* Between proc.c and spawn.c: a place under the cap and in the table
 * (its virtual pid, or BlockingIOError raised), given back when the fork
 * fails (raises); the child's pid in that place (either side of the
 * fork); the parent's side once the child exists (its pid as shown); the
 * process table's memfd; a spawned threadlab joining that table. */
int32_t tl__proc_reserve(lua_State *L, const char *name, int *slot);
int tl__proc_unreserve(lua_State *L, int slot, int err);
void tl__proc_slot_set(int slot, int32_t pid);
int32_t tl__proc_started(pid_t pid, int slot, int32_t vpid);
int tl__procs_fd(void);
int tl__procs_attach(int fd, int32_t vpid, int32_t vparent, const char *name);

/* The spawn start method (spawn.c). The front tells it what the main code
 * is: a script's path (a spawned child runs it again), else how it came
 * ("-e", "stdin", "the REPL"). A spawned child: joins the run from the fd
 * its parent passed (--spawn-child FD) and takes its parent's
 * configuration (0, or -1 with why); sets its clocks when its world
 * begins, and waits for its first turn before its first event; says whether it is one, and whether it is still running the
 * main code again (when Process.start is refused, as in CPython). */
void tl_spawn_set_main(const char *path, const char *how);
int tl_spawn_attach(int fd, tl_config *cfg, char *err, size_t errlen);
void tl_spawn_world_begins(tl_world *w);
void tl_spawn_first_turn(void);
int tl_spawned(void);
void tl_spawn_set_bootstrapping(int yes);
int tl_spawn_bootstrapping(void);
/* _proc.spawn(name, object), _proc.spawn_object(), _proc.spawn_state(),
 * for multiprocessing. */
int tl__f_spawn(lua_State *L);
int tl__f_spawn_object(lua_State *L);
int tl__f_spawn_state(lua_State *L);
const char *tl_thread_state_name(const tl_thread *t);
/* The Thread class's C helpers (thread_class.c). */
void tl__push_thread_name(lua_State *L);
int tl__f_property_class(lua_State *L);

/* Lua modules. */
int luaopen_tl_threading(lua_State *L);  /* the C half: threading._core */
int luaopen_tl_time(lua_State *L);
int luaopen_tl_lab(lua_State *L);
int luaopen_tl_lock(lua_State *L);     /* returns the Lock constructor */
int luaopen_tl_base(lua_State *L);       /* print, pcall, xpcall, errors */
int luaopen_tl_rlock(lua_State *L);    /* returns the RLock constructor */
int luaopen_tl_prim(lua_State *L);     /* threading._prim: for the Lua halves */
int luaopen_tl_deadlock(lua_State *L); /* threading._deadlock: for :locks */
int luaopen_tl_watch(lua_State *L);    /* {watch=, unwatch=} for lab */
int luaopen_tl_lesson(lua_State *L);   /* the C half of the lesson module */
int luaopen_tl_sandbox(lua_State *L);  /* a function that turns the sandbox on */
/* The sandbox (sandbox.c): applies it to the world's state (once);
 * LUA_OK or not (then nothing may run). */
int tl_sandbox_apply(lua_State *L);
int luaopen_tl_ipc(lua_State *L);      /* multiprocessing._ipc: pickle, pipes, shared memory */
int luaopen_tl_proc(lua_State *L);     /* os.fork..., signal; returns _proc */
int luaopen_tl_green(lua_State *L);    /* the C half of the coroutine modules */

/* The deadlock detector (deadlock.c), for every lock or join wait: called
 * with the world mutex and the GIL held just before waiting for obj (a
 * lock, or the thread to join). Returns ECANCELED when the caller must not
 * wait (MainThread found a deadlock), else 0. */
int tl__deadlock_before_wait(tl_thread *self, int kind, const void *obj,
                             uint64_t deadline);
/* After such a wait (GIL held, world mutex not): raises DeadlockError if a
 * deadlock was found for this thread, else as tl_check_cancel. */
void tl_deadlock_after_wait(lua_State *L);
/* With the world mutex held: nothing can ever run again (vclock.c). */
void tl__deadlock_report_hang(const char *msg);
/* A cycle through multiprocessing's locks (mpgraph.c) holds this thread:
 * 1 if it is MainThread (it raises DeadlockError), else it counts as
 * deadlocked from now on (exit does not wait for it) and MainThread, if it
 * waits for it, is told (once a cycle): then 2, else 0. others: the ids of
 * this process's other threads in the cycle, the same for each of them (the
 * thread that found it tells for all). */
int tl__deadlock_mp(const char *msg, const uint32_t *others, int nothers);
/* What MainThread's DeadlockError says. */
const char *tl__deadlock_main_msg(void);
/* Whether MainThread was ever given a DeadlockError (and so could act). */
int tl__deadlock_main_told(void);
/* Opens everything into a fresh state, with the Lua halves (lualib.c). */
int tl_open_all(lua_State *L);
/* Named integer constants (select.EPOLLIN, socket.AF_INET, signal.SIGINT):
 * tl_set_ints sets each as a field of the table on top of the stack. */
typedef struct tl_int_const {
  const char *name;
  long value;
} tl_int_const;
void tl_set_ints(lua_State *L, const tl_int_const *c, size_t n);
/* The i-th global module tl_open_all makes (from 0), in opening order;
 * NULL past the last. */
const char *tl_module_global(int i);

#endif
