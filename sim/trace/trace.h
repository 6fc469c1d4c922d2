/* The trace: every observable happening as one fixed-size event.
 *
 * The log lives in one shared mapping made at start-up (MAP_SHARED, so a
 * forked child, in its own address space, appends to the same log as its
 * parent; children of the processes issue rely on this). The mapping holds:
 *
 *   header | ring of `capacity` events | pinned events | string arena
 *
 * Appending is lock-free: a sequence number is claimed with one atomic add,
 * the event goes into ring slot seq % capacity, published by storing its
 * kind last (a reader copies the slot and checks seq and kind again, so a
 * slot reused under it is noticed, never half read). Events that give the
 * rest meaning (tl_event_pinned) are also appended to the pinned area, which
 * never wraps, so they outlive the ring. Strings go into the arena and are
 * referred to by offset. Nothing here takes a lock or allocates, so every
 * process and thread appends the same way, from any point.
 *
 * Views read only the trace; anything drawn must be recorded here. The file
 * format (trace_file.c) is described there. */
#ifndef TL_TRACE_H
#define TL_TRACE_H

#include <stddef.h>
#include <pthread.h>
#include <stdint.h>

/* X(name, text): the one list of event kinds; text is what dumps print. */
#define TL_EVENT_KINDS(X)                                   \
  X(NONE, "none")                                           \
  X(THREAD_NEW, "thread-new")       /* arg: name */         \
  X(THREAD_START, "thread-start")                           \
  X(THREAD_END, "thread-end")       /* reason: 0 ok, 1 error */ \
  X(GIL_REQUEST, "gil-request")                             \
  X(GIL_ACQUIRE, "gil-acquire")     /* obj: previous holder */ \
  X(GIL_RELEASE, "gil-release")     /* reason: tl_gil_reason */ \
  X(GIL_DROP_REQUEST, "gil-drop-request") /* obj: holder */ \
  X(GIL_FAILED_WAKEUP, "gil-failed-wakeup") /* obj: holder */ \
  X(LOCK_NEW, "lock-new")           /* obj: lock, arg: name, reason: type */ \
  X(LOCK_REQUEST, "lock-request")                           \
  X(LOCK_ACQUIRE, "lock-acquire")   /* arg: previous owner */ \
  X(LOCK_RELEASE, "lock-release")                           \
  X(LOCK_TIMEOUT, "lock-timeout")                           \
  X(SLEEP, "sleep")                 /* arg: ns asked */     \
  X(SLEEP_END, "sleep-end")                                 \
  X(JOIN, "join")                   /* obj: joined thread; reason 2: a child process (obj: pid, 0 any) */ \
  X(JOIN_END, "join-end")           /* reason: 1 timed out, 2 a child process waited for */ \
  X(PRINT, "print")                 /* arg: text */         \
  X(MARK, "mark")                   /* arg: text */         \
  X(INTERRUPT, "interrupt")         /* arg: error text */   \
  X(COND_WAIT, "cond-wait")                                 \
  X(COND_NOTIFY, "cond-notify")     /* arg: n */            \
  X(COND_WAKE, "cond-wake")         /* arg: notifier */     \
  X(EVENT_WAIT, "event-wait")                               \
  X(EVENT_SET, "event-set")                                 \
  X(EVENT_CLEAR, "event-clear")                             \
  X(EVENT_WAKE, "event-wake")       /* arg: setter */       \
  X(SEM_ACQUIRE, "sem-acquire")     /* arg: value after */  \
  X(SEM_RELEASE, "sem-release")                             \
  X(BARRIER_WAIT, "barrier-wait")                           \
  X(BARRIER_PASS, "barrier-pass")                           \
  X(QUEUE_PUT, "queue-put")         /* arg: size after */   \
  X(QUEUE_GET, "queue-get")         /* arg: putter tid */   \
  X(QUEUE_BLOCK, "queue-block")                             \
  X(FORK, "fork")                   /* obj: child pid */    \
  X(EXIT, "exit")                   /* arg: status */       \
  X(REAP, "reap")                   /* obj: child pid */    \
  X(KILL, "kill")                   /* obj: victim pid, arg: signal */ \
  X(PROC_NAME, "proc-name")         /* arg: the process's name, obj: its parent pid */ \
  X(REPARENT, "reparent")           /* pid: the orphan, obj: its new parent pid */ \
  X(WATCH_READ, "watch-read")                               \
  X(WATCH_WRITE, "watch-write")                             \
  X(LOST_UPDATE, "lost-update")                             \
  X(DEADLOCK, "deadlock")           /* arg: description */  \
  X(LESSON_STEP, "lesson-step")     /* arg: text, reason: tl_lesson_part */ \
  X(TRACE_FULL, "trace-full")                               \
  X(COMPUTE, "compute")             /* C work without the GIL; arg: ns asked */ \
  X(COMPUTE_END, "compute-end")             \
  X(DROPPED, "dropped")             /* arg: events dropped before it (ring) */ \
  X(IO_WAIT, "io-wait")             /* obj: channel, arg: the descriptors (text), reason: 1 select/poll/epoll */ \
  X(IO_READY, "io-ready")           /* reason: how many ready | 0x8000 for select/poll/epoll, obj: channel, arg: the ready set (text) */ \
  X(IO_READ, "io-read")             /* obj: channel, arg: bytes */ \
  X(IO_WRITE, "io-write")           /* obj: channel, arg: bytes */ \
  X(GREEN_NEW, "green-new")         /* obj: green lane id, arg: name, reason: tl_green_kind */ \
  X(GREEN_SWITCH, "green-switch")   /* obj: green lane now running (0: the thread itself), arg: the one left; reason 1/2: obj sleeps/wakes instead; 3/4: obj starts/ends a wait for I/O, arg: what it waits on (text); 5 (TL_GREEN_ROUND): a round trip, obj ran from t for arg >> 32 ns, entered from and left back to lane arg & 0xffffffff */ \
  X(GREEN_END, "green-end")         /* obj: green lane that finished */

enum tl_event_kind {
#define TL__KIND_ENUM(name, text) TL_EV_##name,
  TL_EVENT_KINDS(TL__KIND_ENUM)
#undef TL__KIND_ENUM
  TL_EV__COUNT
};

enum tl_gil_reason {
  TL_GIL_BLOCKING = 1, /* a blocking builtin released it (sleep, acquire, ...) */
  TL_GIL_FORCED = 2,   /* py3: dropped on another thread's drop request */
  TL_GIL_YIELD = 3,    /* py2: the periodic check-interval release */
  TL_GIL_EXIT = 4      /* the thread ended */
};

/* X(name, text): what a LESSON_STEP event carries (its reason), in order
 * from 0: the lesson player puts the lesson itself into the trace so the
 * views can show it. Only STEP is a marker on the timeline; a narration
 * panel reads them all, the latest of each kind being the current one.
 * Texts are in the language playing. text is the name lesson.lua uses. */
#define TL_LESSON_PARTS(X)                                                    \
  X(STEP, "step")   /* a step begins; obj: its number, arg: its title */      \
  X(TITLE, "title") /* the lesson's title and source; obj: how many steps */  \
  X(SAY, "say")     /* narration */                                           \
  X(CODE, "code")   /* the code of the step about to run; obj: its first line */ \
  X(CHECK, "check") /* an expect result ("ok: ..." or "FAILED: ...") */       \
  X(LINE, "line")   /* MainThread starts a line of the lesson; obj: its number */ \
  X(NARRATE, "narrate") /* lab.narrate(text): for the narration panel as is */ \
  X(LANG, "lang")   /* the part just before it in one language (obj: 0 en, \
                     * 1 zh), for views that switch (a recording's page) */

enum tl_lesson_part {
#define TL__PART_ENUM(name, text) TL_LESSON_##name,
  TL_LESSON_PARTS(TL__PART_ENUM)
#undef TL__PART_ENUM
  TL_LESSON__COUNT
};

/* X(name, text): what kind of object a LOCK_NEW names (its reason), in
 * order from 1, so views can tell a Lock from an RLock, a Condition, a
 * Queue ...; text is the class name learners know. */
#define TL_OBJECT_TYPES(X)                                  \
  X(LOCK, "Lock")                                           \
  X(RLOCK, "RLock")                                         \
  X(CONDITION, "Condition")                                 \
  X(SEMAPHORE, "Semaphore")                                 \
  X(BOUNDED_SEMAPHORE, "BoundedSemaphore")                  \
  X(EVENT, "Event")                                         \
  X(BARRIER, "Barrier")                                     \
  X(QUEUE, "Queue")                                         \
  X(LIFO_QUEUE, "LifoQueue")                                \
  X(PRIORITY_QUEUE, "PriorityQueue")                        \
  X(SIMPLE_QUEUE, "SimpleQueue")                            \
  X(GLOBAL, "global") /* a global watched by lab.watch */            \
  X(MP_LOCK, "mp.Lock")   /* multiprocessing's, shared by processes */ \
  X(MP_RLOCK, "mp.RLock")

enum tl_obj_type {
  TL_OBJ__NONE = 0,
#define TL__OBJ_ENUM(name, text) TL_OBJ_##name,
  TL_OBJECT_TYPES(TL__OBJ_ENUM)
#undef TL__OBJ_ENUM
  TL_OBJ__COUNT
};

/* The class name of an object type ("Lock"); NULL when it is none. */
static inline const char *tl_obj_type_name(unsigned type) {
  static const char *const names[TL_OBJ__COUNT] = {
      NULL,
#define TL__OBJ_TEXT(name, text) text,
      TL_OBJECT_TYPES(TL__OBJ_TEXT)
#undef TL__OBJ_TEXT
  };
  return type < TL_OBJ__COUNT ? names[type] : NULL;
}

/* X(name, text): what runs on a green lane (GREEN_NEW's reason), from 1. */
#define TL_GREEN_KINDS(X)                                   \
  X(GENERATOR, "generator")                                 \
  X(GREENLET, "greenlet")                                   \
  X(HUB, "hub")           /* gevent's hub: runs the loop */ \
  X(TASK, "task")         /* an asyncio task */             \
  X(LOOP, "event loop")   /* asyncio's loop */

/* GREEN_SWITCH's reason for a round trip in one event (a generator's
 * send: in and back, nothing else written between). */
enum { TL_GREEN_ROUND = 5 };

enum tl_green_kind {
  TL_GREEN__NONE = 0,
#define TL__GREEN_ENUM(name, text) TL_GREEN_##name,
  TL_GREEN_KINDS(TL__GREEN_ENUM)
#undef TL__GREEN_ENUM
  TL_GREEN__COUNT
};

/* 40 bytes. t is ns on the active clock since the trace began. */
typedef struct tl_event {
  uint64_t t;
  uint64_t arg;     /* an integer, or a string offset for text kinds */
  uint32_t seq;
  int32_t pid;
  uint32_t tid;     /* threadlab thread id within pid: 1 = MainThread */
  uint32_t obj;     /* object id: lock, thread, queue ... */
  uint16_t kind;    /* written last (release): 0 means not yet published */
  uint16_t reason;
  uint32_t aux;
} tl_event;

typedef struct tl_trace tl_trace;

/* What the log does when it is full. RING (the default): the oldest events
 * make room for the newest, and a reader is told how many it missed, so a
 * "dropped" marker says so; pinned events (tl_trace_pinned) stay whatever
 * happens. STOP: the log keeps its first events; later ones are counted as
 * lost, apart from the pinned ones. */
enum tl_trace_mode { TL_TRACE_RING = 0, TL_TRACE_STOP = 1 };

/* Creates the shared log with room for `capacity` events (a ring) and
 * `arena_bytes` of strings. Pages are touched only when used, so memory
 * grows with the events held, not with the capacity. NULL on failure. */
tl_trace *tl_trace_create(size_t capacity, size_t arena_bytes);
void tl_trace_destroy(tl_trace *tr);
/* Asks, from a thread of its own, for the ring's pages a little ahead of
 * the appenders, so that they do not wait for the kernel to allocate
 * them (the live log of a run; until tl_trace_destroy). */
void tl_trace_prefault(tl_trace *tr);
/* The memfd behind a log made by tl_trace_create (close-on-exec), and the
 * same log mapped again from it in a spawned threadlab; NULL on failure. */
int tl_trace_fd(const tl_trace *tr);
/* A memfd of `bytes` (close-on-exec, numbered far above a program's own
 * descriptors) for memory a spawned threadlab maps too; -1 when there
 * can be none (then the caller maps anonymous memory). */
int tl_shared_memfd(const char *name, size_t bytes);
/* Shared memory every process of the run maps: a memfd (a spawned child
 * maps it from *fd too; one given in *fd is mapped) or, where there can
 * be none, anonymous memory (*fd -1). NULL with errno on failure. */
void *tl_shared_map(const char *name, size_t bytes, int *fd);
/* A mutex in such memory: process-shared and robust (a process killed
 * while it holds it does not stop the others). */
void tl_shared_mutex_init(pthread_mutex_t *m);
tl_trace *tl_trace_attach(int fd);
void tl_trace_set_mode(tl_trace *tr, int mode);
int tl_trace_mode(const tl_trace *tr);
size_t tl_trace_capacity(const tl_trace *tr);
/* Forgets every event (for :reset); only when no thread appends. A
 * streaming writer first writes out what it has not yet written. */
void tl_trace_clear(tl_trace *tr);
/* Grows with every clear: a reader of an older generation starts over. */
uint64_t tl_trace_generation(const tl_trace *tr);

/* The process-wide trace everything in sim/ appends to. */
extern tl_trace *tl_trace_global;

/* Appends one event; returns its sequence number (its low 32 bits). */
uint32_t tl_trace_emit(tl_trace *tr, uint64_t t, int32_t pid, uint32_t tid,
                       uint16_t kind, uint16_t reason, uint32_t obj,
                       uint64_t arg);
/* Whether an event of this kind is pinned: kept out of the ring because it
 * gives meaning to the rest (object names, lesson text, marks, deadlocks). */
int tl_event_pinned(unsigned kind, unsigned reason);
/* Copies a string into the arena; returns its offset (0 = no string). */
uint64_t tl_trace_str(tl_trace *tr, const char *s, size_t len);
/* The string at an arena offset ("" for 0 or a bad offset). */
const char *tl_trace_strat(const tl_trace *tr, uint64_t off);
/* A new object id, unique across forked processes. */
uint32_t tl_trace_new_id(tl_trace *tr);

/* Whether the trace was loaded from a file (a saved run, not a live one). */
int tl_trace_loaded(const tl_trace *tr);
/* Events appended since the trace began (or was cleared), held or not. */
uint64_t tl_trace_total(const tl_trace *tr);
/* STOP mode: events not recorded because the log was full. */
uint64_t tl_trace_lost(const tl_trace *tr);
/* RING mode: events overwritten by newer ones (a streaming writer still
 * wrote them out). */
uint64_t tl_trace_dropped(const tl_trace *tr);
/* The oldest event the log still holds (copied): 1, or 0 if none. */
int tl_trace_oldest(const tl_trace *tr, tl_event *out);
/* How many events of one kind were appended, dropped ones included: what
 * counts must not depend on what the ring still holds. */
uint64_t tl_trace_kind_count(const tl_trace *tr, unsigned kind);

/* Reading in order. A reader copies events out (a ring slot may be reused
 * while it reads). Events that fell out of the ring before the reader got
 * to them are skipped, except pinned ones; the first event read after such
 * a gap has last_drop set to how many were skipped. */
typedef struct tl_trace_reader {
  uint64_t next;      /* the sequence number to read next */
  uint64_t pin;       /* the next pinned event to look at */
  uint64_t gen;       /* tl_trace_generation when it began */
  uint64_t pending;   /* skipped, not yet reported */
  uint64_t last_drop; /* skipped just before the event last read */
  uint64_t dropped;   /* skipped in all */
  int whole;          /* appenders wait for it (the streaming writer): a
                       * slot not there yet is never taken for a gap */
} tl_trace_reader;
void tl_trace_reader_init(tl_trace_reader *r, const tl_trace *tr);
/* 1 and *out when an event was read, 0 when there is none yet, -1 when the
 * trace was cleared since the reader began (begin again). */
int tl_trace_read(const tl_trace *tr, tl_trace_reader *r, tl_event *out);

const char *tl_event_kind_name(unsigned kind);
/* Whether the kind's arg is a string offset. */
int tl_event_kind_has_text(unsigned kind);
/* Whether this event's arg is text (a kind that always is, or one that is
 * for some reasons): what savers, loaders and views must ask. */
int tl_event_has_text(const tl_event *e);

/* ---- files (trace_file.c) ---------------------------------------------
 * Saves every event a reader of the trace gets (and what it missed, as a
 * DROPPED event); 0 on success, -1 with a reason in err. */
int tl_trace_save(const tl_trace *tr, const char *path, char *err, size_t errlen);
/* Loads a saved or streamed trace, treating the file as hostile: NULL and a
 * reason in err on anything malformed, truncated or from another version.
 * The events go into a ring of `capacity` (0: as many as the file has);
 * with to > from, only events in [from, to) ns and the pinned ones. */
tl_trace *tl_trace_load(const char *path, size_t capacity, uint64_t from, uint64_t to,
                        char *err, size_t errlen);
/* Writes one event a line, reading the file as it goes (any size); 0, or
 * -1 with a reason in err. */
int tl_trace_dump_file(const char *path, void *FILE_out, char *err, size_t errlen);

/* Streaming: a background thread writes every event of tr to path.part in
 * large blocks as they are made, and tl_trace_stream_finish renames it to
 * path. Appenders wait for it rather than overwrite what it has not
 * written. On a write error it prints one message, stops (appenders go on),
 * removes path.part and leaves path as it was. */
int tl_trace_stream_start(tl_trace *tr, const char *path, char *err, size_t errlen);
/* Writes out the rest and renames; 0, or -1 if streaming failed at any
 * point (the message was printed). No-op 0 when not streaming. */
int tl_trace_stream_finish(tl_trace *tr);
/* Waits until the writer has written every event appended so far. */
void tl_trace_stream_flush(tl_trace *tr);

#endif
