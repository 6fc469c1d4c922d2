/* Host pthreads. A Thread runs on a real pthread; when it ends, that
 * pthread stays parked for a moment, ready to run the next Thread started,
 * so a program that starts thousands of short threads does not pay for
 * creating and joining a pthread for each (idents may be reused, as
 * Python's may). A parked pthread that gets no work soon exits; none
 * outlives the world. */
#include "engine.h"

#include <errno.h>
#include <stdlib.h>

#define TL__HOST_STACK (2u << 20)
#define TL__HOST_IDLE_NS 200000000u /* how long a finished pthread waits */

typedef struct tl_host tl_host;
struct tl_host {
  pthread_t pthread;
  tl_cond cv;
  tl_thread *job;   /* the Thread to run next; under the world mutex */
  _Atomic uint32_t jobs; /* bumped with each job: a parked host spins on it */
  int quit, exited;
  tl_host *next_idle, *prev_idle, *next_all;
};

/* Both under the world mutex; the idle list is doubly linked, so a host
 * that gives up waiting leaves it at once, however many are parked. */
static tl_host *tl__idle, *tl__all;
static int tl__nexited; /* hosts that exited and are not yet joined */
static int tl__hosts_stay; /* the process is exiting: a parked host waits on */

static void tl__push_idle(tl_host *h) {
  h->prev_idle = NULL;
  h->next_idle = tl__idle;
  if (tl__idle) tl__idle->prev_idle = h;
  tl__idle = h;
}

static void tl__unlink_idle(tl_host *h) {
  if (h->prev_idle) h->prev_idle->next_idle = h->next_idle;
  else if (tl__idle == h) tl__idle = h->next_idle;
  if (h->next_idle) h->next_idle->prev_idle = h->prev_idle;
  h->next_idle = h->prev_idle = NULL;
}

static void *tl__host_main(void *arg) {
  tl_host *h = arg;
  tl_mutex_lock(&tl_W->mu);
  while (h->job) {
    tl_thread *t = h->job;
    uint64_t deadline;
    tl_mutex_unlock(&tl_W->mu);
    tl__thread_run(t);
    tl__thread_unref(t); /* this pthread no longer touches it */
    tl_mutex_lock(&tl_W->mu);
    h->job = NULL;
    if (h->quit) break;
    tl__push_idle(h);
    deadline = tl_now_ns() + TL__HOST_IDLE_NS;
    {
      uint32_t jobs = atomic_load(&h->jobs);
      tl_mutex_unlock(&tl_W->mu);
      tl__spin_while(&h->jobs, jobs, 0);
      tl_mutex_lock(&tl_W->mu);
    }
    while (!h->job && !h->quit) {
      if (tl__hosts_stay) tl_cond_wait(&h->cv, &tl_W->mu);
      else if (tl_cond_wait_until(&h->cv, &tl_W->mu, deadline) != 0) break;
    }
    if (!h->job) tl__unlink_idle(h);
  }
  h->exited = 1;
  if (!h->quit) tl__nexited++; /* (a quitting one was already taken off) */
  tl_mutex_unlock(&tl_W->mu);
  return NULL;
}

int tl__host_start(tl_thread *t) {
  tl_host *h = tl__idle;
  pthread_attr_t attr;
  int err;
  if (h) {
    tl__unlink_idle(h);
    h->job = t;
    atomic_fetch_add(&h->jobs, 1);
    t->pthread = h->pthread;
    tl_cond_signal(&h->cv);
    return 0;
  }
  if (!(h = calloc(1, sizeof *h))) return ENOMEM;
  tl_cond_init(&h->cv);
  h->job = t;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, TL__HOST_STACK);
  err = pthread_create(&h->pthread, &attr, tl__host_main, h);
  pthread_attr_destroy(&attr);
  if (err) {
    tl_cond_destroy(&h->cv);
    free(h);
    return err;
  }
  t->pthread = h->pthread;
  h->next_all = tl__all;
  tl__all = h;
  return 0;
}

void tl__hosts_reap(int all) {
  tl_host **p, *h, *done = NULL;
  tl_mutex_lock(&tl_W->mu);
  if (!all && !tl__nexited) {
    tl_mutex_unlock(&tl_W->mu);
    return;
  }
  for (p = &tl__all; (h = *p);) {
    int counted = h->exited && !h->quit;
    if (all) {
      h->quit = 1;
      tl_cond_signal(&h->cv);
    }
    if (h->exited || all) {
      if (counted) tl__nexited--;
      *p = h->next_all;
      h->next_all = done;
      done = h;
    } else {
      p = &h->next_all;
    }
  }
  if (all) tl__idle = NULL;
  tl_mutex_unlock(&tl_W->mu);
  for (h = done; h; h = done) {
    done = h->next_all;
    pthread_join(h->pthread, NULL);
    tl_cond_destroy(&h->cv);
    free(h);
  }
}

/* Before a child's _exit: the pthreads with no Thread to run (parked or
 * gone) are told to quit and joined, so none ends unjoined (a sanitizer
 * calls that a leak); those still running a Thread (a daemon's) are left
 * to the exit, and park for good when their Thread ends. */
void tl__hosts_reap_idle(void) {
  tl_host **p, *h, *done = NULL;
  tl_mutex_lock(&tl_W->mu);
  /* one still running a Thread parks when it is done, and stays parked:
   * none may end unjoined while the exit runs (TSan sleeps in it) */
  tl__hosts_stay = 1;
  for (p = &tl__all; (h = *p);) {
    if (h->exited || !h->job) {
      if (h->exited && !h->quit) tl__nexited--;
      if (!h->exited) tl__unlink_idle(h);
      h->quit = 1;
      tl_cond_signal(&h->cv);
      *p = h->next_all;
      h->next_all = done;
      done = h;
    } else {
      p = &h->next_all;
    }
  }
  tl_mutex_unlock(&tl_W->mu);
  for (h = done; h; h = done) {
    done = h->next_all;
    pthread_join(h->pthread, NULL);
  }
}

void tl__hosts_forget(void) {
  tl__idle = NULL;
  tl__all = NULL; /* their memory stays: the child is short-lived */
}
