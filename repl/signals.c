/* Ctrl-C. SIGINT is blocked in every thread and taken by one thread with
 * sigwait, so it can do what a signal handler may not: lock the world and
 * wake MainThread from whatever it waits for. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <unistd.h>

#include "app.h"

static pthread_t tl__sig_thread;
static int tl__pipe[2] = { -1, -1 };
static _Atomic int tl__at_prompt;
static _Atomic int tl__stopping;
static tl_mutex tl__world_mu = PTHREAD_MUTEX_INITIALIZER;

static void *tl__sig_main(void *arg) {
  sigset_t set;
  (void)arg;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, TL_SIG_BOMB);
  sigaddset(&set, TL_SIG_REDRAW);
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (atomic_load(&tl__stopping)) break;
    if (sig == TL_SIG_BOMB) tl_procs_contain_bomb(); /* a child hit the cap 100 times */
    if (sig == TL_SIG_REDRAW && atomic_load(&tl__at_prompt)) {
      char c = 'r'; /* a child printed over the prompt: the REPL draws it again */
      while (write(tl__pipe[1], &c, 1) < 0 && errno == EINTR) {}
    }
    if (sig != SIGINT) continue;
    if (atomic_load(&tl__at_prompt)) {
      char c = 'i';
      while (write(tl__pipe[1], &c, 1) < 0 && errno == EINTR) {}
      continue;
    }
    tl_mutex_lock(&tl__world_mu);
    if (tl_W) {
      tl_mutex_lock(&tl_W->mu);
      tl__cancel(tl_W->main, TL_CANCEL_INTERRUPT);
      tl_mutex_unlock(&tl_W->mu);
    }
    tl_mutex_unlock(&tl__world_mu);
  }
  return NULL;
}

/* In a forked child: the Ctrl-C thread was not copied. The child gets its
 * own (Ctrl-C reaches the foreground children, as in a terminal), and
 * never reads the terminal. */
static void tl__after_fork_child(void) {
  tl_mutex_init(&tl__world_mu);
  atomic_store(&tl__at_prompt, 0);
  tl__pipe[0] = tl__pipe[1] = -1;
  if (pipe(tl__pipe) != 0) tl__pipe[0] = tl__pipe[1] = -1;
  pthread_create(&tl__sig_thread, NULL, tl__sig_main, NULL);
}

void tl_signals_start(void) {
  sigset_t set;
  tl_proc_after_fork_child = tl__after_fork_child;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, TL_SIG_BOMB);
  sigaddset(&set, TL_SIG_REDRAW);
  /* Every thread made from now on inherits the mask. */
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  if (pipe(tl__pipe) != 0) tl__pipe[0] = tl__pipe[1] = -1;
  pthread_create(&tl__sig_thread, NULL, tl__sig_main, NULL);
}

void tl_signals_stop(void) {
  atomic_store(&tl__stopping, 1);
  pthread_kill(tl__sig_thread, SIGUSR1);
  pthread_join(tl__sig_thread, NULL);
  close(tl__pipe[0]);
  close(tl__pipe[1]);
}

void tl_signals_at_prompt(int yes) {
  atomic_store(&tl__at_prompt, yes);
  tl_procs_set_prompt(yes);
}
int tl_signals_fd(void) { return tl__pipe[0]; }

int tl_signals_drain(void) {
  char buf[16];
  int n = 0;
  /* Called only after poll said readable; read what is there. */
  ssize_t r = read(tl__pipe[0], buf, sizeof buf);
  for (ssize_t i = 0; i < r; i++) n += buf[i] == 'i'; /* 'r' asks for a redraw */
  return n;
}

void tl_signals_lock_world(void) { tl_mutex_lock(&tl__world_mu); }
void tl_signals_unlock_world(void) { tl_mutex_unlock(&tl__world_mu); }
