/* The window layer as a plugin. The live window, the SDL painter, text,
 * PNG and animated recordings and --bench-frame (repl/window/) are built
 * as threadlab-window.so, which needs SDL2, SDL2_ttf, SDL2_image,
 * fontconfig, libpng and giflib: some sixty shared libraries, mapped and
 * relocated in milliseconds, at every start of every run, test and spawned
 * child. A run that draws nothing never loads it; the first call that
 * draws does, with dlopen. The plugin takes the trace and the timeline
 * from this executable (the Makefile exports what it uses), so every
 * global exists once.
 *
 * Every function here stands in for the plugin's own of the same name: one
 * that draws loads the plugin first and, if it cannot, says why in err as
 * a missing display does; the others answer, until it is loaded, as a
 * window that is not open would. */
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "anim.h"
#include "png.h"
#include "text.h"
#include "window.h"

/* The plugin's path from the executable's folder (the Makefile's: the
 * release binary is ./threadlab, its plugin in build/release/). */
#ifndef TL_WINDOW_SO
#define TL_WINDOW_SO "threadlab-window.so"
#endif

/* X(name): every plugin function the front calls. The one list makes the
 * table and the lookup; each entry has its header's type. */
#define TL_WINDOW_FUNCS(X)   \
  X(tl_window_start)         \
  X(tl_window_stop)          \
  X(tl_window_running)       \
  X(tl_window_set_rate)      \
  X(tl_window_screenshot)    \
  X(tl_window_lock_trace)    \
  X(tl_window_unlock_trace)  \
  X(tl_window_request_fd)    \
  X(tl_window_take_request)  \
  X(tl_bench_frame)          \
  X(tl_png_write_display)    \
  X(tl_anim_write)           \
  X(tl_text_shutdown)

static struct {
#define X(name) __typeof__(&name) name;
  TL_WINDOW_FUNCS(X)
#undef X
} tl__w;

static pthread_mutex_t tl__mu = PTHREAD_MUTEX_INITIALIZER;
static atomic_int tl__loaded; /* every pointer of tl__w is set */
static char tl__why[700];     /* why it could not be loaded ("" not tried) */
static double tl__rate;       /* the clock's rate, kept until the plugin is */
static int tl__trace_held;    /* tl_window_lock_trace locked the plugin's lock */

static int tl__ready(void) { return atomic_load_explicit(&tl__loaded, memory_order_acquire); }

/* The plugin beside the running executable, wherever it was started from. */
static void tl__path(char *buf, size_t n) {
  char exe[PATH_MAX];
  ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
  char *slash = k > 0 ? (exe[k] = '\0', strrchr(exe, '/')) : NULL;
  if (slash) snprintf(buf, n, "%.*s/%s", (int)(slash - exe), exe, TL_WINDOW_SO);
  else snprintf(buf, n, "%s", TL_WINDOW_SO);
}

static void tl__open(void) {
  char path[PATH_MAX + sizeof TL_WINDOW_SO];
  void *h, *p;
  tl__path(path, sizeof path);
  /* RTLD_NOW: a symbol missing from the executable fails here, not mid-draw */
  if (!(h = dlopen(path, RTLD_NOW | RTLD_LOCAL))) {
    snprintf(tl__why, sizeof tl__why, "cannot load the drawing plugin: %s", dlerror());
    return;
  }
#define X(name)                                                                          \
  if (tl__why[0]) {                                                                      \
  } else if ((p = dlsym(h, #name))) {                                                    \
    memcpy(&tl__w.name, &p, sizeof p);                                                   \
  } else {                                                                               \
    snprintf(tl__why, sizeof tl__why, "cannot load the drawing plugin: %s", dlerror());  \
  }
  TL_WINDOW_FUNCS(X)
#undef X
  if (tl__why[0]) {
    dlclose(h);
    return;
  }
  tl__w.tl_window_set_rate(tl__rate);
  atomic_store_explicit(&tl__loaded, 1, memory_order_release);
}

/* 0 once the plugin is loaded; -1 with the reason in err (every time). */
static int tl__load(char *err, size_t errlen) {
  if (tl__ready()) return 0;
  pthread_mutex_lock(&tl__mu);
  if (!tl__ready() && !tl__why[0]) tl__open();
  if (!tl__ready()) snprintf(err, errlen, "%s", tl__why);
  pthread_mutex_unlock(&tl__mu);
  return tl__ready() ? 0 : -1;
}

/* ---- what draws: loads the plugin ------------------------------------- */

int tl_window_start(const tl_trace *tr, char *err, size_t errlen) {
  return tl__load(err, errlen) ? -1 : tl__w.tl_window_start(tr, err, errlen);
}

int tl_window_screenshot(const tl_trace *tr, const char *path, char *err, size_t errlen) {
  return tl__load(err, errlen) ? -1 : tl__w.tl_window_screenshot(tr, path, err, errlen);
}

int tl_png_write_display(const tl_display *d, const char *path, float scale, char *err,
                         size_t errlen) {
  return tl__load(err, errlen) ? -1 : tl__w.tl_png_write_display(d, path, scale, err, errlen);
}

int tl_anim_write(const tl_trace *tr, const tl_layout *l, const tl_display *still,
                  const tl_display_opts *o, int format, const tl_anim_opts *ao,
                  const char *path, char *err, size_t errlen) {
  if (tl__load(err, errlen)) return -1;
  return tl__w.tl_anim_write(tr, l, still, o, format, ao, path, err, errlen);
}

int tl_bench_frame(long n) {
  char err[700];
  if (tl__load(err, sizeof err) == 0) return tl__w.tl_bench_frame(n);
  fprintf(stderr, "threadlab: --bench-frame: %s\n", err);
  return 1;
}

/* ---- the rest: without the plugin, no window is open ------------------ */

void tl_window_stop(void) {
  if (tl__ready()) tl__w.tl_window_stop();
}

int tl_window_running(void) { return tl__ready() ? tl__w.tl_window_running() : 0; }

void tl_window_set_rate(double rate) {
  pthread_mutex_lock(&tl__mu); /* not lost to a load under way */
  tl__rate = rate;
  if (tl__ready()) tl__w.tl_window_set_rate(rate);
  pthread_mutex_unlock(&tl__mu);
}

/* MainThread only (around :reset's clear): unlocks what it locked, should
 * the plugin come between the two. */
void tl_window_lock_trace(void) {
  if (!tl__ready()) return;
  tl__w.tl_window_lock_trace();
  tl__trace_held = 1;
}

void tl_window_unlock_trace(void) {
  if (!tl__trace_held) return;
  tl__trace_held = 0;
  tl__w.tl_window_unlock_trace();
}

int tl_window_request_fd(void) { return tl__ready() ? tl__w.tl_window_request_fd() : -1; }

int tl_window_take_request(char *cmd, size_t n) {
  return tl__ready() ? tl__w.tl_window_take_request(cmd, n) : 0;
}

void tl_text_shutdown(void) {
  if (tl__ready()) tl__w.tl_text_shutdown();
}
