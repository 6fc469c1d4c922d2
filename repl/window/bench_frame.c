/* threadlab --bench-frame N: how long the window takes to draw one frame
 * of a synthetic trace of N events (8 threads trading the GIL, forced
 * switches, lock handoffs, sleeps, prints), laid out once as the window
 * does, then drawn whole (display list + software painting at the window's
 * size) as many times as fit in a second or two. Prints one line:
 *   events=N layout_ms=X ms_per_frame=Y (display list A, painting B) items=I frames=K
 * It lives in the window layer, so the front reaches it as it reaches the
 * window: through the plugin (repl/window_load.c). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <SDL.h>

#include "text.h"
#include "view.h"
#include "window.h"

static double tl__ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void tl__synthetic_for_test(tl_trace *tr, size_t n);
void tl__synthetic_for_test(tl_trace *tr, size_t n) {
  enum { THREADS = 8, LOCK = 500 };
  uint64_t t = 0, i = 0;
  uint32_t holder = 1, k;
  char name[32];
  for (k = 1; k <= THREADS; k++) {
    snprintf(name, sizeof name, k == 1 ? "MainThread" : "worker-%u", k - 1);
    tl_trace_emit(tr, 0, 1, 1, TL_EV_THREAD_NEW, 0, k, tl_trace_str(tr, name, strlen(name)));
  }
  tl_trace_emit(tr, 0, 1, 1, TL_EV_LOCK_NEW, 1, LOCK, tl_trace_str(tr, "counter", 7));
  tl_trace_emit(tr, 0, 1, 1, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  while (tl_trace_total(tr) + 12 < n) {
    uint32_t next = 1 + (uint32_t)((holder + 2 + i % 3) % THREADS);
    t += 3000 + (i * 7919) % 4000;
    tl_trace_emit(tr, t, 1, next, TL_EV_GIL_REQUEST, 0, holder, 0);
    if (i % 4 == 0) tl_trace_emit(tr, t + 100, 1, next, TL_EV_GIL_DROP_REQUEST, 0, holder, 0);
    if (i % 16 == 0) tl_trace_emit(tr, t + 200, 1, holder, TL_EV_PRINT, 0, 0, tl_trace_str(tr, "tick", 4));
    if (i % 8 == 0) {
      tl_trace_emit(tr, t + 300, 1, holder, TL_EV_LOCK_ACQUIRE, 0, LOCK, 0);
      tl_trace_emit(tr, t + 400, 1, next, TL_EV_LOCK_REQUEST, 0, LOCK, holder);
      tl_trace_emit(tr, t + 900, 1, holder, TL_EV_LOCK_RELEASE, 0, LOCK, 0);
      tl_trace_emit(tr, t + 950, 1, next, TL_EV_LOCK_ACQUIRE, 0, LOCK, holder);
      tl_trace_emit(tr, t + 960, 1, next, TL_EV_LOCK_RELEASE, 0, LOCK, 0);
    }
    if (i % 32 == 5) tl_trace_emit(tr, t + 500, 1, holder, TL_EV_SLEEP, 0, 0, 10000);
    tl_trace_emit(tr, t + 1000, 1, holder, TL_EV_GIL_RELEASE, i % 4 == 0 ? TL_GIL_FORCED : TL_GIL_BLOCKING, 0, 0);
    if (i % 32 == 5) tl_trace_emit(tr, t + 1500, 1, holder, TL_EV_SLEEP_END, 0, 0, 0);
    tl_trace_emit(tr, t + 1100, 1, next, TL_EV_GIL_ACQUIRE, 0, holder, 0);
    holder = next;
    i++;
  }
}

int tl_bench_frame(long n) {
  tl_trace *tr = tl_trace_create((size_t)n + 64, 1 << 20);
  tl_view v;
  SDL_Surface *s;
  SDL_Renderer *r;
  tl_canvas *c;
  char err[256];
  double t0, layout_ms, total = 0, build = 0;
  int frames = 0;
  if (!tr || tl_text_init(err, sizeof err) != 0) {
    fprintf(stderr, "threadlab: --bench-frame: %s\n", tr ? err : "cannot make the trace");
    return 1;
  }
  tl__synthetic_for_test(tr, (size_t)n);
  tl_view_init(&v, 1280, 760, 1.25f);
  t0 = tl__ms();
  tl_view_update(&v, tr, 0);
  layout_ms = tl__ms() - t0;
  s = SDL_CreateRGBSurfaceWithFormat(0, 1280, 760, 32, SDL_PIXELFORMAT_ARGB8888);
  r = s ? SDL_CreateSoftwareRenderer(s) : NULL;
  c = r ? tl_canvas_new(r) : NULL;
  if (!c) {
    fprintf(stderr, "threadlab: --bench-frame: %s\n", SDL_GetError());
    return 1;
  }
  while (frames < 200 && (frames < 20 || total < 2000)) {
    double f0 = tl__ms();
    if (frames % 2) tl_view_zoom(&v, 700, 1.0f); /* a frame as after a zoom */
    if (tl_view_build(&v) != 0) return 1;
    if (frames >= 3) build += tl__ms() - f0;
    tl_view_paint(&v, c);
    tl_canvas_frame_done(c);
    if (frames >= 3) total += tl__ms() - f0; /* the first frames warm the text cache */
    frames++;
  }
  printf("events=%zu layout_ms=%.1f ms_per_frame=%.2f (display list %.2f, painting %.2f) "
         "items=%zu frames=%d\n",
         (size_t)tl_trace_total(tr), layout_ms, total / (frames - 3), build / (frames - 3),
         (total - build) / (frames - 3), v.timeline ? v.timeline->n : 0, frames - 3);
  tl_canvas_free(c);
  SDL_DestroyRenderer(r);
  SDL_FreeSurface(s);
  tl_view_free(&v);
  tl_trace_destroy(tr);
  return 0;
}
