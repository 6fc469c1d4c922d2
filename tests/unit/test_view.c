/* The window's view without a window: fitting and following the live end,
 * zoom at the cursor, dragging, clicking a lane, the live end growing a
 * blocked bar, the wait-for graph opening on a deadlock, narration
 * wrapping, tooltips only near the pointer, and painting it all on a
 * software surface. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "view.h"

#include "check.h"

#define MS 1000000ull

static tl_trace *tr;

static void ev(uint64_t t, uint32_t tid, unsigned kind, unsigned reason, uint32_t obj,
               uint64_t arg) {
  tl_trace_emit(tr, t, 1, tid, (uint16_t)kind, (uint16_t)reason, obj, arg);
}

static uint64_t str(const char *s) { return tl_trace_str(tr, s, strlen(s)); }

/* Two threads trade the GIL for 100 ms. */
static void trading(void) {
  uint64_t t;
  ev(0, 1, TL_EV_THREAD_NEW, 0, 1, str("MainThread"));
  ev(0, 1, TL_EV_THREAD_NEW, 0, 2, str("worker"));
  for (t = 0; t < 100 * MS; t += 5 * MS) {
    uint32_t a = 1 + (uint32_t)(t / (5 * MS)) % 2, b = 3 - a;
    ev(t, a, TL_EV_GIL_ACQUIRE, 0, 0, 0);
    ev(t + 1 * MS, b, TL_EV_GIL_REQUEST, 0, a, 0);
    ev(t + 5 * MS - 1000, a, TL_EV_GIL_RELEASE, TL_GIL_FORCED, 0, 0);
  }
}

static size_t titled(const tl_display *d) {
  size_t i, n = 0;
  for (i = 0; i < d->n; i++) n += d->items[i].title != 0 && d->items[i].role != TL_ROLE_LABEL &&
                                  d->items[i].role != TL_ROLE_CHROME;
  return n;
}

static void test_navigation(void) {
  tl_view v;
  const tl_display *d;
  uint64_t t_under;
  float x;
  tr = tl_trace_create(4096, 1 << 16);
  trading();
  tl_view_init(&v, 1280, 760, 1.25f);
  CHECK(fabsf(v.width - 1024) < 0.01f && fabsf(v.height - 608) < 0.01f);
  CHECK(tl_view_update(&v, tr, 0) == 1);
  CHECK(tl_view_build(&v) == 0 && v.timeline && !v.graph);
  d = v.timeline;
  CHECK(d->t_from == 0 && d->t_to >= 100 * MS - 1000);
  CHECK(d->width == v.width && d->height <= v.height - TL_VIEW_STATUS_H + 0.01f);
  CHECK(d->lane_h > 36 && d->nlanes == 2); /* room to spare: lanes grow */
  /* Zoom in at a point: the time under it stays under it. */
  x = d->plot_x0 + (d->plot_x1 - d->plot_x0) * 0.3f;
  t_under = tl_display_time_at(d, x);
  tl_view_zoom(&v, x, 0.5f);
  CHECK(!v.fit && !v.follow); /* away from the live end: not following */
  CHECK(tl_view_build(&v) == 0);
  d = v.timeline;
  CHECK(llabs((long long)tl_display_time_at(d, x) - (long long)t_under) < 200000);
  CHECK(d->t_to - d->t_from < 60 * MS && d->t_to - d->t_from > 40 * MS);
  /* Drag to the right: earlier times come into view. */
  {
    uint64_t from = d->t_from;
    tl_view_press(&v, x, d->lane_top[1] + 5);
    tl_view_motion(&v, x + 100, d->lane_top[1] + 5);
    tl_view_release(&v, x + 100, d->lane_top[1] + 5);
    CHECK(v.from < from && v.focus == -1); /* a drag is no click */
  }
  /* A click on a lane focuses it; again, not. */
  CHECK(tl_view_build(&v) == 0);
  d = v.timeline;
  tl_view_press(&v, x, d->lane_top[1] + 5);
  tl_view_release(&v, x, d->lane_top[1] + 5);
  CHECK(v.focus == 1);
  CHECK(tl_view_build(&v) == 0);
  tl_view_press(&v, x, v.timeline->lane_top[1] + 5);
  tl_view_release(&v, x, v.timeline->lane_top[1] + 5);
  CHECK(v.focus == -1);
  /* A double-click runs the thread of the row (the window asks :run T2). */
  CHECK(tl_view_thread_at(&v, v.timeline->lane_top[1] + 5) == v.layout->lanes[1].tid);
  CHECK(tl_view_thread_at(&v, v.timeline->lane_top[1] + 5) != 0);
  CHECK(tl_view_thread_at(&v, -1000) == 0);
  /* Fit again; keys 1-9 find thread ids. */
  tl_view_fit(&v);
  CHECK(tl_view_build(&v) == 0 && v.timeline->t_from == 0);
  CHECK(tl_view_lane_tid(&v, 1) == 1 && tl_view_lane_tid(&v, 2) == 2 && tl_view_lane_tid(&v, 3) == 0);
  /* Tooltips only near the pointer, unless no pointer is given. */
  {
    size_t near, all;
    tl_display_opts o;
    tl_display *full;
    v.hover = 1;
    v.mx = 500;
    v.my = 100;
    CHECK(tl_view_build(&v) == 0);
    near = titled(v.timeline);
    tl_display_opts_default(&o);
    o.width = v.timeline->width;
    full = tl_display_build(v.layout, &o);
    all = full ? titled(full) : 0;
    CHECK(near > 0 && near * 5 < all);
    tl_display_free(full);
  }
  tl_view_free(&v);
  tl_trace_destroy(tr);
}

/* Live: with no new event, the live end still moves; a deadlock opens
 * the wait-for graph; pausing freezes the layout. */
static void test_live(void) {
  tl_view v;
  tr = tl_trace_create(4096, 1 << 16);
  ev(0, 1, TL_EV_LOCK_NEW, 1, 7, str("A"));
  ev(0, 1, TL_EV_LOCK_NEW, 1, 8, str("B"));
  ev(1, 2, TL_EV_LOCK_ACQUIRE, 0, 7, 0);
  ev(2, 3, TL_EV_LOCK_ACQUIRE, 0, 8, 0);
  ev(10 * MS, 2, TL_EV_LOCK_REQUEST, 0, 8, 3);
  tl_view_init(&v, 1000, 700, 1);
  tl_view_update(&v, tr, 0);
  CHECK(!v.graph_shown);
  ev(11 * MS, 3, TL_EV_LOCK_REQUEST, 0, 7, 2);
  tl_view_update(&v, tr, 0);
  CHECK(v.graph_shown && v.layout->ndeadlocks == 1);
  CHECK(tl_view_update(&v, tr, 500 * MS) == 1 && v.live_end == 500 * MS);
  CHECK(tl_view_build(&v) == 0 && v.graph && v.timeline->width < 1000);
  CHECK(v.timeline->t_to >= 500 * MS); /* the blocked bars run on to now */
  tl_view_toggle_graph(&v);
  CHECK(!v.graph_shown && v.graph_chosen);
  tl_view_toggle_pause(&v);
  ev(600 * MS, 1, TL_EV_MARK, 0, 0, str("later"));
  tl_view_update(&v, tr, 0);
  CHECK(v.layout->nmarkers == 0); /* paused: nothing new laid out */
  tl_view_toggle_pause(&v);
  tl_view_update(&v, tr, 0);
  CHECK(v.layout->nmarkers == 1);
  tl_view_free(&v);
  tl_trace_destroy(tr);
}

/* Narration wraps (CJK has no spaces) and paints, with everything else,
 * on a software surface. */
static void test_paint(void) {
  tl_view v;
  char buf[4200];
  SDL_Surface *s;
  SDL_Renderer *r;
  tl_canvas *c;
  char err[256];
  int lines;
  tr = tl_trace_create(4096, 1 << 16);
  trading();
  tl_view_init(&v, 800, 600, 1);
  {
    /* narration reaches the view only through the trace */
    const char *say = "死锁：两个线程各自持有一把锁，又在等待对方手里的那把锁，"
                      "谁也无法继续运行下去。Two threads each hold a lock and wait "
                      "for the other's: neither can ever go on.";
    tl_trace_emit(tr, 50, 1, 1, TL_EV_LESSON_STEP, TL_LESSON_NARRATE, 0,
                  tl_trace_str(tr, say, strlen(say)));
  }
  tl_view_update(&v, tr, 0);
  CHECK(strstr(v.narration, "死锁") == v.narration);
  lines = tl__view_wrap(&v, buf, sizeof buf);
  CHECK(lines >= 2 && lines <= 6 && strchr(buf, '\n'));
  CHECK(tl__view_narration_h(&v) > 40);
  CHECK(tl_view_build(&v) == 0);
  CHECK(v.timeline->height <= 600 - TL_VIEW_STATUS_H - tl__view_narration_h(&v) + 0.01f);
  if (tl_text_init(err, sizeof err) != 0) {
    printf("no fonts: %s\n", err);
    failures++;
  } else {
    s = SDL_CreateRGBSurfaceWithFormat(0, 800, 600, 32, SDL_PIXELFORMAT_ARGB8888);
    r = SDL_CreateSoftwareRenderer(s);
    c = tl_canvas_new(r);
    CHECK(c != NULL);
    if (c) {
      Uint32 *px = s->pixels;
      int i, dark = 0;
      v.hover = 1;
      v.mx = 300;
      v.my = v.timeline->lane_top[0] + 20;
      CHECK(tl_view_build(&v) == 0);
      tl_view_paint(&v, c);
      for (i = 0; i < 800 * 600; i++) dark += (px[i] & 0xFF) < 0x60;
      CHECK(dark > 2000); /* text, bars, the tooltip */
      tl_canvas_free(c);
    }
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(s);
    tl_text_shutdown();
  }
  tl_view_free(&v);
  tl_trace_destroy(tr);
}

/* A lesson playing: the narration box shows the line MainThread runs,
 * found in the step's code the trace carries. */
static void test_running_line(void) {
  tl_view v;
  char buf[256];
  tr = tl_trace_create(4096, 1 << 16);
  ev(0, 1, TL_EV_THREAD_NEW, 0, 1, str("MainThread"));
  tl_view_init(&v, 1000, 700, 1);
  tl_view_update(&v, tr, 0);
  CHECK(tl__view_running_line(&v, buf, sizeof buf) == 0); /* no lesson */
  tl_trace_emit(tr, 1, 1, 1, TL_EV_LESSON_STEP, TL_LESSON_CODE, 5,
                str("5\xe2\x94\x82local x = 1\n6\xe2\x94\x82time.sleep(1)"));
  tl_trace_emit(tr, 2, 1, 1, TL_EV_LESSON_STEP, TL_LESSON_LINE, 6, 0);
  tl_view_update(&v, tr, 0);
  CHECK(tl__view_running_line(&v, buf, sizeof buf) == 1);
  CHECK(strstr(buf, "6 \xe2\x94\x82 time.sleep(1)") != NULL);
  tl_trace_emit(tr, 3, 1, 1, TL_EV_LESSON_STEP, TL_LESSON_LINE, 40, 0);
  tl_view_update(&v, tr, 0);
  CHECK(tl__view_running_line(&v, buf, sizeof buf) == 0); /* not in this step */
  CHECK(v.layout->nmarkers == 0); /* lines are no markers */
  tl_view_free(&v);
  tl_trace_destroy(tr);
}

int main(int argc, char **argv) {
  static const tl_test tests[] = {
      TL_TEST(test_running_line),
      TL_TEST(test_navigation),
      TL_TEST(test_live),
      TL_TEST(test_paint),
      {NULL, NULL}};
  return tl_test_main(tests, argc, argv);
}
