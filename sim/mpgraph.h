/* The wait-for graph across processes (mpgraph.c): multiprocessing's Lock
 * and RLock (their semaphores are ipc.c's) record their holder and their
 * waiters in one table every process of the run shares, so a cycle through
 * locks of several processes is found when it closes, as threads' are. */
#ifndef TL_MPGRAPH_H
#define TL_MPGRAPH_H

#include <stddef.h>
#include <stdint.h>

/* Made once at start-up, before any fork; -1 if the mapping fails. */
int tl_mpgraph_init(void);
int tl_mpgraph_fd(void);
int tl_mpgraph_attach(int fd);
/* A fresh world in the top process (its children are gone): forgets every
 * lock, waiter and deadlock. */
void tl__mpg_reset(void);

/* A new mp lock of the graph (type: TL_OBJ_MP_LOCK or TL_OBJ_MP_RLOCK),
 * traced (LOCK_NEW): its slot, or -1 when the table is full (the lock then
 * works outside the graph). name NULL: "mp.Lock-<id>". *id, *out: its
 * trace id and its name. */
int tl__mpg_new(int type, const char *name, uint32_t *id, char *out, size_t n);
uint32_t tl__mpg_id(int slot);
/* The creating process let go of its handle: a free lock with no waiters
 * leaves :locks. */
void tl__mpg_forget(int slot);

/* With the lock's own semaphore mutex held: this thread took it, it came
 * free, whether a thread waits for it (then its release must take the
 * graph's mutex first, so nobody walks a half-changed graph). */
void tl__mpg_took(int slot);
void tl__mpg_freed(int slot);
int tl__mpg_has_waiters(int slot);

/* The graph's mutex (process-shared): always taken before a semaphore's. */
void tl__mpg_lock(void);
void tl__mpg_unlock(void);

/* Graph mutex and the semaphore's mutex held, the lock not free: this
 * thread waits for it from now on. */
void tl__mpg_enqueue(int slot);
/* Graph mutex held, after tl__mpg_enqueue: follows holder -> what it waits
 * for -> its holder ... 1 if the chain comes back to this thread: msg says
 * who waits for what, every thread of the cycle is told, the trace has it,
 * *someone_main says whether a MainThread is among them (it raises), and
 * mine[0..*nmine) are the other threads of this process in it (at most 64). */
int tl__mpg_walk(char *msg, size_t n, int *someone_main, uint32_t *mine, int *nmine);
/* This thread's wait is over (any thread may call it; no mutex held). */
void tl__mpg_dequeue(void);
/* Whether a cycle this thread waits in was found (by any thread); then
 * *msg is its report. Cheap: read in every slice of the wait. */
int tl__mpg_told(const char **msg);

/* For :locks and :threads (the top process lists every process's). */
typedef struct tl_mpg_row {
  char name[48], type[16];
  uint32_t id;
  int count;            /* held or not (an RLock: its depth) */
  char holder[112];     /* "Process-1/MainThread", "" when free */
  int holder_stuck;
  int holder_ended;     /* its process is gone: the lock stays locked */
  int nwaiters;
  char waiter[8][112];
  int waiter_stuck[8];
} tl_mpg_row;
/* Row i (0 ...) of the live locks; 0 past the last. */
int tl__mpg_row(int i, tl_mpg_row *row);
/* The cycles found so far, any process; NULL past the last. */
const char *tl__mpg_found(int i);
/* What thread (pid as the program sees it, tid) waits for now: "mp.Lock
 * L1, held by MainProcess/MainThread"; 0 if it waits for no mp lock. */
int tl__mpg_waits(int32_t pid, uint32_t tid, char *buf, size_t n);

#endif
