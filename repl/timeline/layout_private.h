/* What the layout's files share among themselves (layout.c: lanes, the GIL
 * and the state machine; layout_objects.c: locks, conditions, events,
 * queues and processes; layout_deadlock.c: wait-for edges and deadlocks).
 * Not for views: they use layout.h. */
#ifndef TL_LAYOUT_PRIVATE_H
#define TL_LAYOUT_PRIVATE_H

#include "layout.h"

/* Grows *p to hold `need` elements (doubling); -1 when out of memory. */
int tl__grow(void *pp, size_t *cap, size_t need, size_t elem);

/* Open addressing, uint64 key -> int32 (>= 0) value. */
typedef struct tl__map {
  uint64_t *keys;
  int32_t *vals;
  size_t cap, n;
} tl__map;
int32_t tl__map_get(const tl__map *m, uint64_t key);
int tl__map_put(tl__map *m, uint64_t key, int32_t val);
void tl__map_free(tl__map *m);

/* An object as the views need it: a lock (name, owner, last release) or a
 * condition/event/queue (name, last notify or set). */
typedef struct tl__obj {
  uint32_t id;
  char *name;
  uint8_t type;         /* the LOCK_NEW reason */
  int32_t owner;        /* lane holding the lock, -1 */
  uint32_t depth;       /* RLock: acquisitions by the owner */
  uint32_t waiting;     /* lanes waiting for it (at least; 0: none) */
  int32_t rel_lane;     /* last release not yet taken */
  uint64_t rel_t, rel_stamp;
  int32_t sig_lane;     /* last notify/set */
  uint64_t sig_t;
} tl__obj;

/* A queue item in flight, or a fork or exit waiting for its other end. */
typedef struct tl__pending {
  int32_t lane;
  uint64_t t;
} tl__pending;

struct tl__layout_private {
  tl__map lanes, procs, objs;
  tl__obj *obj;
  size_t nobj, capobj;
  tl__map puts;         /* (queue id, serial) -> index into pend */
  tl__map forks, exits; /* child pid -> index into pend */
  tl__pending *pend;
  size_t npend, cappend;
  tl_trace_reader reader; /* where the layout is in the trace */
  tl_event *batch;      /* events read, to be laid out in (t, seq) order */
  size_t capbatch;
  uint64_t now;         /* the time of the event being laid out */
  tl__map greens;       /* green lane id -> index into green */
  struct tl__green *green; /* green lanes named, not yet run (or run) */
  size_t ngreen, capgreen;
};

/* A green lane as GREEN_NEW names it: drawn from its first switch on, so a
 * generator never advanced leaves no empty row. */
struct tl__green {
  uint64_t name;        /* trace string */
  int32_t host;         /* the lane of the thread that made it */
  int32_t lane;         /* its lane once it ran, else -1 */
  uint8_t kind;         /* enum tl_green_kind */
};

/* layout.c */
int32_t tl__lane(tl_layout *l, int32_t proc, uint32_t tid);
/* The process pid's index, made on first sight; -1 when out of memory. */
int32_t tl__proc(tl_layout *l, int32_t pid);
int tl__refresh(tl_layout *l, int32_t lane, uint64_t t);
int tl__marker(tl_layout *l, const tl_event *e, int32_t proc, int32_t lane);
int tl__arrow(tl_layout *l, uint8_t kind, int32_t from, int32_t to, uint64_t t0, uint64_t t1,
              uint32_t obj, uint8_t reason);

/* An event kind's handler (see tl__by_kind in layout.c): 0, or -1 when out
 * of memory. proc is the emitting process, lane the emitting thread's lane
 * (-1 if none; never -1 for the kinds the table marks TL__LANE). */
typedef int tl__handler(tl_layout *l, int32_t proc, int32_t lane, const tl_event *e);

/* layout_objects.c: locks, conditions, events, queues and processes */
tl__handler tl__on_lock_new, tl__on_lock_request, tl__on_lock_acquire, tl__on_lock_release,
    tl__on_lock_timeout, tl__on_wait_begin, tl__on_wait_end, tl__on_signal, tl__on_wake,
    tl__on_queue_put, tl__on_queue_get, tl__on_fork, tl__on_exit, tl__on_reap,
    tl__on_kill, tl__on_reparent, tl__on_proc_name, tl__on_io_wait, tl__on_io_ready,
    tl__on_io_write;
/* A lane has just been made in proc: the end of a fork arrow. */
int tl__lane_born(tl_layout *l, int32_t proc, int32_t lane, uint64_t t);
tl__obj *tl__obj_get(tl_layout *l, uint32_t id);
const tl__obj *tl__obj_find(const tl_layout *l, uint32_t id);
void tl__objects_free(tl_layout *l);

/* layout_green.c: coroutines as green lanes nested under their thread */
tl__handler tl__on_green_new, tl__on_green_switch, tl__on_green_end;
/* A round trip in one event (GREEN_SWITCH, TL_GREEN_ROUND) is the two
 * switches it stands for: e becomes the switch in, *back the switch back.
 * 1 when e was one. */
int tl__green_split(tl_event *e, tl_event *back);

/* layout_deadlock.c */
tl__handler tl__on_deadlock;
/* After a lock request or a join: whether the wait closes a cycle. */
int tl__check_cycle(tl_layout *l, int32_t proc, int32_t lane, uint64_t t);
/* After a lane got what it waited for: a cycle found by the layout that it
 * was part of was only events seen out of order; forget it. */
void tl__cycle_resolved(tl_layout *l, int32_t lane);
void tl__deadlocks_free(tl_layout *l);

#endif
