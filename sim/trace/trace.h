/* The trace: every observable happening as one fixed-size event.
 *
 * The log lives in one shared mapping made at start-up, so forked children
 * append to the same log as their parent. Appending is lock-free: a slot is
 * claimed with one atomic add and published by storing its kind last, so a
 * reader sees only whole events. Strings (names, printed text) go into an
 * arena in the same mapping and are referred to by offset.
 *
 * Views read only the trace; anything drawn must be recorded here. */
#ifndef TL_TRACE_H
#define TL_TRACE_H

#include <stddef.h>
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
  X(JOIN, "join")                   /* obj: joined thread */\
  X(JOIN_END, "join-end")           /* reason: 1 timed out */ \
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
  X(KILL, "kill")                                           \
  X(WATCH_READ, "watch-read")                               \
  X(WATCH_WRITE, "watch-write")                             \
  X(LOST_UPDATE, "lost-update")                             \
  X(DEADLOCK, "deadlock")           /* arg: description */  \
  X(LESSON_STEP, "lesson-step")     /* arg: text, reason: tl_lesson_part */ \
  X(TRACE_FULL, "trace-full")

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
  X(LINE, "line")   /* MainThread starts a line of the lesson; obj: its number */

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
  X(GLOBAL, "global") /* a global watched by lab.watch */

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

/* Creates the shared log with room for `capacity` events and `arena_bytes`
 * of strings. Pages are touched only when used. NULL on failure (errno). */
tl_trace *tl_trace_create(size_t capacity, size_t arena_bytes);
void tl_trace_destroy(tl_trace *tr);
/* Forgets every event (for :reset); only when no thread appends. */
void tl_trace_clear(tl_trace *tr);

/* The process-wide trace everything in sim/ appends to. */
extern tl_trace *tl_trace_global;

/* Appends one event; returns its sequence number. When the log is full the
 * event is counted as lost and a warning is printed once (never silent). */
uint32_t tl_trace_emit(tl_trace *tr, uint64_t t, int32_t pid, uint32_t tid,
                       uint16_t kind, uint16_t reason, uint32_t obj,
                       uint64_t arg);
/* Copies a string into the arena; returns its offset (0 = no string). */
uint64_t tl_trace_str(tl_trace *tr, const char *s, size_t len);
/* The string at an arena offset ("" for 0 or a bad offset). */
const char *tl_trace_strat(const tl_trace *tr, uint64_t off);
/* A new object id, unique across forked processes. */
uint32_t tl_trace_new_id(tl_trace *tr);

/* Number of published events in order of their slots (a prefix). */
size_t tl_trace_count(const tl_trace *tr);
const tl_event *tl_trace_at(const tl_trace *tr, size_t i);
uint64_t tl_trace_lost(const tl_trace *tr);

const char *tl_event_kind_name(unsigned kind);
/* Whether the kind's arg is a string offset. */
int tl_event_kind_has_text(unsigned kind);

/* Saves published events and strings; 0 on success, -1 (errno) on failure. */
int tl_trace_save(const tl_trace *tr, const char *path);
/* Loads a saved trace, treating the file as hostile: returns NULL and writes
 * a reason into err on any malformed content. */
tl_trace *tl_trace_load(const char *path, char *err, size_t errlen);
/* Writes one event a line as text. */
void tl_trace_dump(const tl_trace *tr, void *FILE_out);

#endif
