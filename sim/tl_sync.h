/* Mutex and condition-variable wrappers: an impossible error aborts at once
 * (a corrupted mutex must never be silently ignored), debug builds use
 * error-checking mutexes, and timed waits run on the monotonic clock so a
 * change of the wall clock cannot stretch or cut a timeout. */
#ifndef TL_SYNC_H
#define TL_SYNC_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

typedef pthread_mutex_t tl_mutex;
typedef pthread_cond_t tl_cond;

void tl_mutex_init(tl_mutex *m);
void tl_mutex_destroy(tl_mutex *m);
void tl_mutex_lock(tl_mutex *m);
void tl_mutex_unlock(tl_mutex *m);

void tl_cond_init(tl_cond *c);
void tl_cond_destroy(tl_cond *c);
void tl_cond_wait(tl_cond *c, tl_mutex *m);
/* Returns 0 when woken (or spuriously), ETIMEDOUT once the monotonic
 * deadline (ns since an arbitrary epoch, see tl_now_ns) has passed. */
int tl_cond_wait_until(tl_cond *c, tl_mutex *m, uint64_t deadline_ns);
void tl_cond_signal(tl_cond *c);
void tl_cond_broadcast(tl_cond *c);

uint64_t tl_now_ns(void);      /* CLOCK_MONOTONIC */
uint64_t tl_wall_ns(void);     /* CLOCK_REALTIME */

#endif
