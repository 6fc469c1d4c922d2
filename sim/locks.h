/* What Lock (lock.c) and RLock (rlock.c) share, so the deadlock detector
 * and :locks (deadlock.c, deadlocklib.c) can read either.
 *
 * A lock's state (count, owner, waiters) changes under the world mutex, since
 * a waiter takes the lock without the GIL. The owner's list of held locks
 * (for the lock-order check) changes only with the GIL held, so a lock's
 * finalizer, which may run wherever Lua allocates, never needs the world
 * mutex: an unreachable lock is touched by no one but its finalizer. */
#ifndef TL_LOCKS_H
#define TL_LOCKS_H

#include <lauxlib.h>

#include "engine.h"

#define TL_LOCK_MAGIC 0x6b636f6cu
#define TL_LOCK_MT "threadlab.Lock"
#define TL_RLOCK_MT "threadlab.RLock"
#define TL_LOCK_NAME 48
/* The longest timeout a wait takes (threading.TIMEOUT_MAX): seconds. */
#define TL_TIMEOUT_MAX 1e9

typedef struct tl_lockhdr tl_lockhdr;
struct tl_lockhdr {
  uint32_t magic;        /* TL_LOCK_MAGIC: a wait_obj of TL_WAIT_LOCK is one */
  uint32_t id;           /* trace object id; 0 for internal locks */
  uint8_t type;          /* TL_OBJ_LOCK or TL_OBJ_RLOCK */
  uint8_t internal;      /* a primitive's own lock: untraced, not in the graph */
  uint8_t warned;        /* the one-time warning about it was given */
  uint8_t why;           /* an internal waiter lock: what its waiter waits
                          * for (TL_WHY_*), named by name; 0 otherwise */
  int count;             /* 0 free; a Lock 1; an RLock its depth */
  tl_thread *owner;      /* the holder (a Lock: who acquired it); a counted
                          * reference unless internal */
  uint32_t last_tid;     /* who released it last, for handoff arrows */
  tl_thread *waiters;    /* FIFO, linked through wnext and wprev, */
  tl_thread *wtail;      /* so joining and leaving it cost O(1) */
  tl_thread *held_by;    /* whose held list it is on (its owner); GIL */
  tl_lockhdr *hnext, *hprev; /* that list, newest first; GIL */
  char name[TL_LOCK_NAME];
};

/* What a thread blocked on a primitive's waiter lock waits for: the words
 * of a hang report ("go1 waits for a notify nobody can send (cond)"). */
/* name, key (Lua), what it waits for, the same once nothing can run */
#define TL_WAIT_WHYS(X)                                                            \
  X(NOTIFY, "notify", "a notify", "a notify nobody can send")                      \
  X(SET, "set", "an Event to be set", "an Event nobody can set")                   \
  X(RELEASE, "release", "a release", "a release nobody can make")                  \
  X(BARRIER, "barrier", "the other parties", "parties that can never arrive")      \
  X(ITEM, "item", "an item", "an item nobody can put")                             \
  X(ROOM, "room", "room in the queue", "room nobody can make")                     \
  X(TASK_DONE, "task_done", "task_done() calls", "a task_done() nobody can call")

enum {
  TL_WHY_NONE = 0,
#define TL__WHY_ENUM(name, key, words, hang_words) TL_WHY_##name,
  TL_WAIT_WHYS(TL__WHY_ENUM)
#undef TL__WHY_ENUM
  TL_WHY__COUNT
};

/* lock.c: the mechanism both lock types use. */

/* Makes a lock userdata of `size` bytes (a tl_lockhdr first) with the
 * metatable `tname`; name NULL makes one from the type and id. Traced and
 * listed for :locks unless internal. */
tl_lockhdr *tl__lock_push(lua_State *L, size_t size, const char *tname, int type,
                          const char *name, int internal);
/* The name a lock constructor was given (fname: "Lock"), or NULL. */
const char *tl__lock_name_arg(lua_State *L, const char *fname);
/* Reads (blocking, timeout) from stack slots 2 and 3 as Python's
 * lock.acquire parses them, positionally or as a table of keywords. */
void tl__acquire_args(lua_State *L, int *blocking, double *timeout);
/* Acquires k (an RLock again if its owner asks); 1 if got, 0 if not.
 * Raises KeyboardInterrupt, DeadlockError, SystemExit when cancelled. */
int tl__lock_acquire(lua_State *L, tl_lockhdr *k, int blocking, double timeout);
/* Frees k with the world mutex held: wakes a waiter, traces the release. */
void tl__lock_free_locked(tl_lockhdr *k);
/* Pushes whether k is held (lock:locked()). */
int tl__lock_push_locked(lua_State *L, tl_lockhdr *k);
/* A lock's __gc: forgets its owner. */
int tl__lock_gc(lua_State *L);
/* Makes the metatable tname for a lock type: its methods (also reachable as
 * the metatable's "methods" field), a name field, tostring and __gc. */
void tl__lock_metatable(lua_State *L, const char *tname, const luaL_Reg *methods,
                        lua_CFunction tostring);
/* The lock's state as text for tostring (copied under the world mutex). */
void tl__lock_describe(tl_lockhdr *k, char *buf, size_t len);

/* lockorder.c: the held-lock list and the lock-order check; GIL held. */
void tl__held_add(tl_lockhdr *k, tl_thread *t);
void tl__held_remove(tl_lockhdr *k);
void tl__lock_order_reset(void);

/* deadlocklib.c: registers a live lock for :locks (the registry keeps it
 * weakly). */
void tl__locks_register(lua_State *L, int idx, uint32_t id);

/* deadlock.c: the detector. A thread's wait ended: it is no longer counted
 * as deadlocked (world mutex held). */
void tl__deadlock_thaw(tl_thread *t);
/* The deadlocks found so far (world mutex held), and forgetting them. */
int tl__deadlock_nfound(void);
const char *tl__deadlock_found(int i);
void tl__deadlock_reset(void);

#endif
