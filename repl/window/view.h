/* The picture the timeline window shows, and what a person does to it:
 * zoom at the cursor, drag to pan, follow the live end, pause, hover for
 * details, click a lane to see what it touches, the wait-for graph panel
 * and the narration box. It owns a layout it updates from the trace, and
 * builds display lists; window.c paints them in a window, and a headless
 * screenshot paints the same view on a surface. No SDL window here. */
#ifndef TL_VIEW_H
#define TL_VIEW_H

#include <stdint.h>

#include <SDL.h>

#include "display.h"
#include "layout.h"
#include "sdl_paint.h"

#define TL_VIEW_STATUS_H 24.0f
#define TL_VIEW_GRAPH_W 330.0f

typedef struct tl_view {
  float width, height; /* in view units: window pixels / ui */
  float ui;            /* how big everything is drawn (1.25: for a class) */
  tl_layout *layout;
  tl_display *timeline, *graph; /* built by tl_view_build */
  /* what is shown */
  int follow;          /* the window ends at the live end */
  int fit;             /* ... and starts at the beginning (the whole run) */
  int paused;          /* the layout is not updated: the picture stands still */
  uint64_t from, to;   /* the window when not fitting */
  int focus;           /* the clicked lane, -1 */
  int graph_shown;     /* the wait-for graph panel */
  int graph_chosen;    /* the person toggled it (else it opens on a deadlock) */
  size_t seen_deadlocks;
  uint64_t live_end;   /* where "now" is on the trace's clock */
  /* the pointer */
  float mx, my;
  int hover;           /* the pointer is over the window */
  int dragging;
  float drag_x;
  uint64_t drag_from, drag_to;
  char narration[4096]; /* from the trace's lesson events */
  uint32_t narr_gen;
  char status[256];    /* a passing message in the status bar */
} tl_view;

/* A view of a window of width x height pixels, drawn ui times bigger. */
void tl_view_init(tl_view *v, float width, float height, float ui);
void tl_view_free(tl_view *v);
void tl_view_resize(tl_view *v, float width, float height);
/* A new scale (clamped to 0.75 .. 2.5), for the same window. */
void tl_view_set_ui(tl_view *v, float ui);

/* Lays out what the trace gained (unless paused) and sets the live end:
 * end is the time it should at least reach (extrapolated by the caller
 * from the wall clock; 0 for none). Returns 1 if the picture changed. */
int tl_view_update(tl_view *v, const tl_trace *tr, uint64_t end);
/* Builds the display lists for the current state (with the trace locked:
 * labels are read from its text). 0, or -1 when out of memory. */
int tl_view_build(tl_view *v);
/* Paints the whole window (built before) on c, at (0, 0). */
void tl_view_paint(tl_view *v, tl_canvas *c);

/* What a person does. Coordinates are view units (window pixels / ui). */
void tl_view_zoom(tl_view *v, float x, float factor);
void tl_view_pan_px(tl_view *v, float dx);
void tl_view_press(tl_view *v, float x, float y);
void tl_view_motion(tl_view *v, float x, float y);
void tl_view_release(tl_view *v, float x, float y);
/* The thread whose row holds y (its trace id), 0 for none. */
uint32_t tl_view_thread_at(const tl_view *v, float y);
void tl_view_fit(tl_view *v);
void tl_view_toggle_follow(tl_view *v);
void tl_view_toggle_pause(tl_view *v);
void tl_view_toggle_graph(tl_view *v);
/* The thread id of the n-th lane (1-based) of the first process, 0. */
uint32_t tl_view_lane_tid(const tl_view *v, int n);

/* For view_paint.c: the narration box's height and its wrapped lines. */
float tl__view_narration_h(const tl_view *v);
int tl__view_wrap(const tl_view *v, char *out, size_t n);
/* The lesson line MainThread runs, as the narration box shows it; 0: none. */
int tl__view_running_line(const tl_view *v, char *out, size_t n);

#endif
