/* The layout: a trace turned into lanes, state segments, arrows and markers,
 * in trace time (ns). Pure data: no drawing, no pixels.
 *
 * It is incremental: tl_layout_update consumes only the events published
 * since the last call, so the live window can call it every frame. Events
 * are appended by many threads and their times may be slightly out of
 * order: each batch is processed sorted by (t, seq); an event older than
 * what a lane already shows is clamped to the lane's last time. A whole
 * trace laid out in one call is therefore exact. */
#ifndef TL_LAYOUT_H
#define TL_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "trace.h"

enum tl_lane_state {
  TL_STATE_NONE,     /* not started yet: nothing drawn */
  TL_STATE_RUNNING,  /* holds the GIL (or is alive in a process without one) */
  TL_STATE_READY,    /* wants the GIL */
  TL_STATE_BLOCKED,  /* waits for a lock (obj: lock id) */
  TL_STATE_SLEEPING,
  TL_STATE_JOINING,  /* obj: joined thread id */
  TL_STATE_IDLE,     /* released the GIL to block on something else */
  TL_STATE_DONE,
  TL_STATE_WAITING,  /* waits on a condition, semaphore, queue or barrier (obj) */
  TL_STATE_EVENT,    /* waits for an event to be set (obj: the event) */
  TL_STATE_NOGIL,    /* runs C code that let go of the GIL (lab.compute{gil=false}) */
  TL_STATE_ZOMBIE,   /* its process exited and is not yet reaped by its parent */
  TL_STATE_IO,       /* waits for I/O (obj: trace string naming the descriptors) */
  TL_STATE_SUSPENDED, /* a green lane (coroutine) switched out: waits to be resumed */
  TL_STATE__COUNT
};

/* A state over [t0, t1). 24 bytes: a long run makes millions of them. */
typedef struct tl_segment {
  uint64_t t0, t1;
  uint32_t obj;   /* blocked: lock id; joining: thread id; GIL row: holder tid
                   * (its lane: tl_layout_find_lane(l, proc->pid, obj)) */
  uint8_t state;  /* enum tl_lane_state (GIL rows: TL_STATE_RUNNING) */
} tl_segment;

/* Level-of-detail summaries of a row of segments, built as the layout
 * grows (tl_layout_update), not per frame: a block of 64 segments (level 0)
 * or of 64 level-0 blocks (level 1) keeps its span, the key (a lane's
 * state, a GIL row's holder) that fills most of it, how long, and one of
 * its segments to draw it with. A zoomed-out frame colours a pixel over
 * thousands of segments by a few blocks (tl_lod_pick). */
#define TL_LOD_SHIFT 6
typedef struct tl_lod {
  uint64_t t0, t1;
  uint64_t top_ns;      /* time in the top key */
  uint32_t top;         /* index of a segment of the top key */
} tl_lod;

typedef struct tl_lod_row {
  tl_lod *lv[2];
  size_t n[2], cap[2];
} tl_lod_row;

enum tl_arrow_kind {
  TL_ARROW_GIL,         /* GIL handed over after a blocking call or an exit */
  TL_ARROW_GIL_FORCED,  /* py3: the holder was made to drop it */
  TL_ARROW_LOCK,        /* a lock released by one thread, taken by its waiter */
  TL_ARROW_NOTIFY,      /* condition notify -> the waiter wakes */
  TL_ARROW_SET,         /* event set -> the waiter wakes */
  TL_ARROW_PUT,         /* queue put -> the get of that item */
  TL_ARROW_FORK,        /* fork -> the child's first thread */
  TL_ARROW_EXIT,        /* a thread's end -> the join that returns; a child
                         * process's exit -> the parent's join/wait */
  TL_ARROW_IO,          /* a write on a pipe or socket -> the reader it woke */
  TL_ARROW_SWITCH,      /* a coroutine switch between two lanes of one thread */
  TL_ARROW__COUNT
};

typedef struct tl_arrow {
  uint64_t t0, t1;      /* release time, acquire time */
  int32_t from, to;     /* lanes */
  uint32_t obj;         /* lock/condition/event/queue id; child pid for fork, exit */
  uint8_t kind;         /* enum tl_arrow_kind */
  uint8_t reason;       /* GIL: the enum tl_gil_reason of the release */
} tl_arrow;

typedef struct tl_marker {
  uint64_t t;
  uint64_t text;        /* trace string offset, 0 for none */
  uint64_t arg;         /* a kind without text: its event's arg (DROPPED: the count) */
  uint32_t note;        /* a lesson step: its narration, tl_layout.notes[note]; 0 none */
  int32_t lane;         /* -1: about the whole process (drawn across it) */
  int32_t proc;         /* index into tl_layout.procs */
  uint32_t obj;
  uint16_t kind;        /* the event kind: TL_EV_PRINT, TL_EV_MARK, ... */
  uint8_t hang;         /* a DEADLOCK marker that reports a hang */
} tl_marker;

/* A wait for a lock that someone else held: who held it over the wait, in
 * order (the holder when it began, then each one that took it meanwhile),
 * so a finished "blocked" bar can still say who kept the lock. */
#define TL_WAIT_HOLDERS 3
typedef struct tl_lock_wait {
  uint64_t t0, t1;      /* its request; its end (UINT64_MAX: still waiting) */
  uint32_t obj;         /* the lock */
  uint32_t nholders;    /* how many held it (the first TL_WAIT_HOLDERS named) */
  int32_t holder[TL_WAIT_HOLDERS]; /* lanes */
  int32_t last;         /* the lane that held it last */
} tl_lock_wait;

/* What the state machine knows of one thread; private to layout.c. */
struct tl__lane_sm {
  uint64_t lock_t;       /* its lock request's time */
  uint8_t wait_noted;   /* its lock wait has a tl_lock_wait (the lane's last) */
  uint64_t stamp_gil, stamp_want, stamp_lock, stamp_sleep, stamp_join, stamp_wait, stamp_compute;
  uint32_t lock_obj, join_obj, wait_obj;
  uint8_t started, ended, holds, wants, locking, sleeping, joining, computing;
  uint8_t waiting;      /* 1: on a condition-like object; 2: on an event */
  uint8_t io;           /* waits for I/O */
  uint32_t io_text;     /* what it waits on (trace string) */
  uint8_t io_new;       /* a new wait: its own segment, even right after the last */
  uint64_t stamp_io, io_t;
  uint8_t last_release; /* enum tl_gil_reason, 0 if never released */
  uint8_t open;         /* the lane's last segment is still going on */
  uint8_t named;        /* got its name from THREAD_NEW */
  uint8_t unknown;      /* events were dropped: no state until one is known */
  uint8_t green;        /* a green lane: suspended is idle, never ready */
};

typedef struct tl_lane {
  int32_t pid;
  uint32_t tid;
  int32_t proc;         /* index into tl_layout.procs */
  int32_t host;         /* a green lane: the lane of the thread running it; else -1 */
  char *name;
  tl_segment *seg;      /* in time order; the last one is open until t_end */
  size_t nseg, capseg;
  uint32_t *marks;      /* its markers (indices into tl_layout.markers), in order */
  size_t nmarks, capmarks;
  uint32_t *gilmarks;   /* its GIL drop requests (drawn on the GIL row), in order */
  size_t ngilmarks, capgilmarks;
  tl_lod_row lod;       /* summaries of seg */
  tl_lock_wait *waits;  /* its waits for a lock held by someone, in order */
  size_t nwaits, capwaits;
  struct tl__lane_sm sm;
} tl_lane;

typedef struct tl_proc {
  int32_t pid;
  int32_t *lanes;       /* lane indices in order of first appearance */
  size_t nlanes, caplanes;
  tl_segment *gil;      /* holder segments (obj = holder tid) */
  size_t ngil, capgil;
  tl_lod_row gillod;    /* summaries of gil (by holder) */
  int has_gil;          /* any GIL event seen: decides running vs idle */
  int32_t holder;       /* lane holding the GIL now, -1 */
  int32_t rel_lane;     /* last release not yet followed by an acquire */
  uint64_t rel_t, rel_stamp;
  uint8_t rel_reason;
  uint8_t exited;       /* its EXIT was seen */
  uint8_t reaped;       /* its parent's REAP was seen (a zombie till then) */
  uint8_t forked;       /* its fork arrow is drawn */
  uint8_t reparent_due; /* re-parented before its first event: marked then */
  uint32_t reparent_to;
  uint64_t reparent_t;
  uint64_t name;        /* trace string: its PROC_NAME ("MainProcess", "Process-1"); 0 none */
} tl_proc;

/* One "waits for" in a wait-for graph: a thread waiting for a lock (held by
 * holder), waiting to join the thread of lane holder, or waiting on a
 * condition-like object (a Condition, Semaphore, queue, Barrier: on = 1; an
 * Event: on = 2), which nobody holds. */
typedef struct tl_wait_edge {
  int32_t waiter;       /* lane */
  int32_t holder;       /* lane of the lock's owner or of the joined thread; -1 */
  uint32_t obj;         /* the lock's or object's id (joins: the joined thread's tid) */
  uint8_t join;
  uint8_t on;           /* waits on a condition-like object (1) or an Event (2) */
  uint8_t cycle;        /* part of a cycle */
} tl_wait_edge;

/* A deadlock (or a hang): when, what the engine said (a DEADLOCK event's
 * text), and the wait-for edges at that moment. The layout also finds
 * lock cycles by itself, so a deadlock shows even with no detector. A hang
 * (DEADLOCK reason 3: nothing can run again, and no cycle) is no deadlock:
 * the views draw it in their own colours and words. */
typedef struct tl_deadlock {
  uint64_t t;
  uint64_t text;        /* trace string of the DEADLOCK event; 0 if none */
  int32_t proc;
  uint8_t reported;     /* a DEADLOCK event says so (else found by the layout) */
  uint8_t hang;         /* a hang, not a deadlock */
  tl_wait_edge *edges;
  size_t nedges, capedges;
} tl_deadlock;

typedef struct tl_layout tl_layout;
struct tl_layout {
  tl_lane *lanes;       /* in creation order; indices are stable */
  size_t nlanes, caplanes;
  tl_proc *procs;       /* in order of first appearance */
  size_t nprocs, capprocs;
  tl_arrow *arrows;     /* in order of their acquire time */
  size_t narrows, caparrows;
  uint32_t *arrows_of[TL_ARROW__COUNT]; /* per kind: indices into arrows */
  size_t narrows_of[TL_ARROW__COUNT], caparrows_of[TL_ARROW__COUNT];
  tl_deadlock *deadlocks; /* in time order */
  size_t ndeadlocks, capdeadlocks;
  tl_marker *markers;   /* in time order */
  size_t nmarkers, capmarkers;
  uint32_t *globals;    /* the markers of no lane (deadlock, lesson step, ...) */
  size_t nglobals, capglobals;
  uint64_t marker_kinds; /* bit per event kind seen as a marker */
  uint32_t state_kinds;  /* bit per lane state seen */
  uint64_t t_begin, t_end; /* the span of every event seen */
  size_t consumed;      /* events laid out */
  uint64_t lost;        /* events the trace could not record (STOP mode) */
  uint64_t dropped;     /* events the ring dropped before they were laid out */
  uint64_t drop_t;      /* the time of the first event after the latest drop */
  uint64_t drop_said;   /* dropped events DROPPED markers have told of */
  uint64_t trimmed;     /* segments and arrows let go with them (not markers
                         * the trace pins): memory follows what the trace holds */
  uint64_t stamp;       /* events processed, orders concurrent waits */
  const tl_trace *trace;
  /* A lesson playing: the code of the current step (a trace text offset, 0
   * for none), its first line, and the line MainThread started last. */
  uint64_t lesson_code;
  uint32_t lesson_first, lesson_line;
  /* Narration, from the lesson's events: what led to each step (a step
   * marker's note), and the panel now: its head (the step's title, or the
   * lesson's before its first step; a trace text offset) and its text.
   * narr_gen moves whenever the panel changes. */
  char **notes;         /* notes[0] is unused */
  size_t nnotes, capnotes;
  char *says;           /* what was said since the last step */
  uint64_t narr_head;
  const char *narr_text; /* notes[k], says, or a trace text */
  uint32_t narr_gen;
  struct tl__layout_private *priv; /* lookup tables */
};

tl_layout *tl_layout_new(void);
void tl_layout_free(tl_layout *l);
/* Forgets everything (the trace was cleared, or a new one is shown). */
void tl_layout_reset(tl_layout *l);
/* Lays out the events published since the last call. A different trace,
 * or one cleared since (tl_trace_clear; noticed because the last event laid
 * out is gone), starts the layout over. Returns the
 * number of events consumed, or -1 when out of memory (the layout is then
 * missing events: reset it before trying again). */
long tl_layout_update(tl_layout *l, const tl_trace *tr);
/* The same, stopping before the first event later than `until` (ns): an
 * animation lays out a recorded run as it grew, frame by frame. */
long tl_layout_update_until(tl_layout *l, const tl_trace *tr, uint64_t until);
/* tl_layout_new + tl_layout_update; NULL when out of memory. */
tl_layout *tl_layout_build(const tl_trace *tr);

/* Lane of (pid, tid), or -1. */
int tl_layout_find_lane(const tl_layout *l, int32_t pid, uint32_t tid);
/* The name a LOCK_NEW gave lock `id`, or NULL. */
const char *tl_layout_lock_name(const tl_layout *l, uint32_t id);
/* What kind of object `id` is ("Lock", "Condition", "Event", ...), from
 * the type its LOCK_NEW gave; "Lock" when unknown. */
const char *tl_layout_obj_type(const tl_layout *l, uint32_t id);
/* The lane holding lock `id` now, -1 if free or unknown. */
int tl_layout_lock_owner(const tl_layout *l, uint32_t id);
/* The wait for a lock that a BLOCKED segment of lane shows (whom it waited
 * for), or NULL when nobody was seen holding it. */
const tl_lock_wait *tl_layout_lock_wait(const tl_layout *l, int lane, const tl_segment *s);
/* The wait-for edges of process `proc` now (lock waits and joins), with
 * cycles marked; at most max are written, the number found is returned. */
size_t tl_layout_wait_edges(const tl_layout *l, int proc, tl_wait_edge *out, size_t max);
/* A process's header: "MainProcess (pid 1234)". */
const char *tl_layout_proc_label(const tl_layout *l, size_t proc, char *buf, size_t n);
/* A marker's text ("" if none). */
const char *tl_layout_text(const tl_layout *l, uint64_t off);
/* What a marker says in a few words (a label; "" if nothing), in buf or in
 * the trace; and what more it has to say (a tooltip's rest): a lesson
 * step's narration, how a lost update happened, why events were dropped. */
const char *tl_layout_marker_label(const tl_layout *l, const tl_marker *m, char *buf, size_t n);
const char *tl_layout_marker_note(const tl_layout *l, const tl_marker *m);
/* The segment that shows seg[i..j) best: of the key (a lane's state; with
 * by_obj, a GIL row's holder) that fills most of that time, from the row's
 * summaries where they cover it (a few dozen reads, however many segments). */
size_t tl_lod_pick(const tl_lod_row *r, const tl_segment *seg, size_t i, size_t j, int by_obj);
/* First segment of seg[0..n) with t1 > t (n if none): where a window starts. */
size_t tl_segment_search(const tl_segment *seg, size_t n, uint64_t t);

const char *tl_state_name(int state);
const char *tl_arrow_kind_name(int kind);

#endif
