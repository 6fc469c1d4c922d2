/* What the display list's files share (display.c: colours, geometry,
 * rows, segments, the axis and the whole picture; display_items.c: items,
 * strings and times; display_legend.c: the legend; display_marks.c:
 * arrows, markers and the deadlock banner; display_waitfor.c: the
 * wait-for graph). Not for painters: they use display.h. */
#ifndef TL_DISPLAY_PRIVATE_H
#define TL_DISPLAY_PRIVATE_H

#include "display.h"
#include "theme.h"

#define TL__LANE_H 36.0f
#define TL__GIL_H 24.0f
#define TL__PROC_GAP 10.0f
#define TL__FONT 12.0f
#define TL__SMALL 10.0f
#define TL__BANNER_LINE 17.0f
#define TL__BAND_ROW 13.0f

typedef struct tl__geo {
  const tl_layout *l;
  tl_display *d;
  const tl_display_opts *o;
  double from, to, scale; /* scale: px per ns */
  float lane_h, gil_h, label_w;
  float *lane_y;          /* per lane: top of its row */
  float *gil_y, *proc_y1; /* per process: GIL row top, block bottom */
  float title_y, band_y, banner_y, rows_y0, rows_y1;
  int has_global;
  int band_rows;          /* rows of the band of global markers' labels */
  float *band_at;         /* per global marker (l->globals): its label's x, */
  uint8_t *band_row;      /* its row in the band, */
  uint8_t *band_anchor;   /* its anchor; */
  float *band_room;       /* the width it may take (< 24: no label) */
  int banner_lines;       /* lines of the deadlock banner (0: none) */
  size_t banner_dl;       /* the deadlock it tells of */
  char banner[4][320];    /* its text, wrapped */
  int focus;              /* a lane whose connections stand out, -1 */
  int *lane_row;          /* per lane: its row (display_rows.c) */
  int *row_lane;          /* per row: its first lane, whose name it shows */
  int *row_count;         /* per row: how many lanes share it */
  uint8_t *row_group;     /* per row: threads of several names share it */
  int nrows, has_group;
} tl__geo;

/* items and strings (display.c) */
tl_display *tl__display_new(float width, float height);
uint32_t tl__rgba(uint32_t rgb);
uint32_t tl__ink_on(uint32_t rgba);
tl_dl_item *tl__item(tl_display *d, int kind, int role);
/* The width a painter gives s at size px (a safe estimate, no fonts). */
float tl__text_px(const char *s, float size);
float tl__text_w(const char *s, float size, int bold);
/* s cleaned (valid UTF-8, controls as spaces unless keep_nl) and cut with
 * an ellipsis to max_px; 0 if nothing fits. */
uint32_t tl__str(tl_display *d, const char *s, float size, float max_px, int keep_nl);
uint32_t tl__strf(tl_display *d, const char *fmt, ...);
tl_dl_item *tl__rect(tl_display *d, int role, float x0, float y0, float x1, float y1,
                     uint32_t fill);
tl_dl_item *tl__line(tl_display *d, int kind, int role, float x0, float y0, float x1, float y1,
                     uint32_t stroke, float width, int dash);
tl_dl_item *tl__text(tl_display *d, int role, float x, float y, uint32_t text, float size,
                     int anchor, uint32_t fill);
/* Notes a panel (see tl_dl_panel); past TL_DL_MAX_PANELS, nothing. */
void tl__panel(tl_display *d, const char *name, float x0, float y0, float x1, float y1);
/* "Lock A", "Condition #7": what a waiting state waits on. */
void tl__obj_label(const tl_layout *l, uint32_t obj, char *buf, size_t n);

/* geometry (display.c) */
/* Whether an item over [x0, x1] gets its tooltip (see tips_near). */
int tl__wants_tip(const tl__geo *g, float x0, float x1);
float tl__x(const tl__geo *g, double t);
float tl__lane_cy(const tl__geo *g, int lane);
float tl__bar_half(const tl__geo *g, int state);
const char *tl__lane_name(const tl__geo *g, int lane);

/* display_rows.c: which lanes share a row; 0, or -1 out of memory. */
int tl__rows_plan(tl__geo *g);
/* Whether a row holds threads of several names (a group of short ones). */
int tl__row_is_group(const tl__geo *g, int row);
/* Whether a lane has no row (nothing of it in a recording's window). */
int tl__lane_hidden(const tl__geo *g, int lane);
/* In each group row, a tick where each of its threads lived. */
void tl__group_ticks(tl__geo *g);

/* display_marks.c */
typedef struct tl__marker_look {
  uint32_t rgb;
  uint8_t shape;
  const char *what;
} tl__marker_look;
/* How a marker of an event kind looks, and how its line is dashed. */
tl__marker_look tl__look(unsigned kind);
/* The look of a DEADLOCK marker that reports a hang: no event kind has it. */
#define TL__LOOK_HANG TL_EV__COUNT
int tl__global_dash(unsigned kind);
void tl__arrows(tl__geo *g);
void tl__markers(tl__geo *g);
/* Places the labels of the global markers (lesson steps, marks of the
 * whole run) in rows of the band above the lanes, each in full beside its
 * line where any row has room; the number of rows (0: no band). */
int tl__band_plan(tl__geo *g);
/* What a global marker's label says. */
void tl__global_text(const tl__geo *g, const tl_marker *m, char *buf, size_t n);
void tl__deadlocks(tl__geo *g);
/* After a deadlock that ended the run: its threads shown blocked on. */
void tl__stuck(tl__geo *g);
/* The banner's text for deadlock i: what the engine said (or the layout
 * found) into a, and the cycle in words into b (b may be ""). */
void tl__banner_text(const tl_layout *l, size_t i, char *a, size_t na, char *b, size_t nb);
/* Fills g->banner with the text of deadlock g->banner_dl wrapped to the
 * plot's width; the number of lines. */
int tl__banner_wrap(tl__geo *g);
void tl__banner(tl__geo *g);
/* display_legend.c: draws the legend when g has a display, else only
 * measures; the height. */
float tl__legend(tl__geo *g, float width, float y0);
extern const uint32_t tl__arrow_rgb[TL_ARROW__COUNT];
extern const float tl__arrow_width[TL_ARROW__COUNT];
extern const int tl__arrow_dash[TL_ARROW__COUNT];

/* display_waitfor.c: the graph of edges e[0..n) inside the box; heading
 * above it. */
void tl__waitfor_panel(tl_display *d, const tl_layout *l, const tl_wait_edge *e, size_t n,
                       float x, float y, float w, float h, const char *heading);

#endif
