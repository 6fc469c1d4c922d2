/* The display list: a layout drawn as plain shapes in pixels, for a canvas
 * size and a time window. Painters (SVG, SDL) only walk the items in order;
 * everything that decides what goes where happens here, once.
 *
 * Whatever is narrower than a pixel is merged into one item that counts
 * what it stands for, so the number of items stays bounded by the canvas
 * width however many events the window holds. */
#ifndef TL_DISPLAY_H
#define TL_DISPLAY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "layout.h"

enum tl_dl_kind {
  TL_DL_RECT,   /* (x0,y0)-(x1,y1); size = corner radius */
  TL_DL_LINE,   /* (x0,y0)->(x1,y1); size = stroke width */
  TL_DL_ARROW,  /* a line with its head at (x1,y1) */
  TL_DL_TEXT,   /* at (x0,y0): y0 is the baseline; size = font px */
  TL_DL_GLYPH   /* a marker shape centred at (x0,y0); size = radius */
};

enum tl_dl_anchor { TL_ANCHOR_START, TL_ANCHOR_MIDDLE, TL_ANCHOR_END };
enum tl_dl_shape {
  TL_SHAPE_CIRCLE, TL_SHAPE_DIAMOND, TL_SHAPE_TRIANGLE_DOWN, TL_SHAPE_CROSS,
  TL_SHAPE_SQUARE
};
enum tl_dl_dash { TL_DASH_SOLID, TL_DASH_DASHED, TL_DASH_DOTTED };

/* What an item shows, so a window can answer hovering over it. */
enum tl_dl_role {
  TL_ROLE_CHROME,   /* background, grid, axis, legend */
  TL_ROLE_LABEL,    /* lane and row names */
  TL_ROLE_SEGMENT,  /* a lane state (ref = state) */
  TL_ROLE_GIL,      /* a GIL row holding (ref = holder lane) */
  TL_ROLE_ARROW,    /* ref = enum tl_arrow_kind */
  TL_ROLE_MARKER    /* ref = event kind */
};

typedef struct tl_dl_item {
  float x0, y0, x1, y1;
  float size;
  uint32_t fill, stroke;  /* 0xRRGGBBAA; alpha 0 means none */
  uint32_t text, title;   /* offsets into tl_display.strings; 0 = none */
  uint32_t count;         /* how many things it stands for (>1: merged) */
  int32_t lane;           /* the lane it belongs to, -1 */
  int32_t lane2;          /* an arrow's other end (its from lane), -1 */
  int32_t ref;            /* see enum tl_dl_role */
  uint8_t kind, role, anchor, bold, shape, dash;
} tl_dl_item;

/* A region of the picture with a job (the name column, the plot, the band
 * of step titles, ...): every text stays inside one. */
typedef struct tl_dl_panel {
  float x0, y0, x1, y1;
  const char *name;       /* a static string */
} tl_dl_panel;

#define TL_DL_MAX_PANELS 24

typedef struct tl_display {
  tl_dl_item *items;      /* in painting order */
  size_t n, cap;
  char *strings;          /* NUL-terminated strings; offset 0 is "" */
  size_t nstr, capstr;
  float width, height;
  uint32_t background;
  const char *font_family;
  uint64_t t_from, t_to;  /* the window drawn */
  float plot_x0, plot_x1; /* its pixel span: x = plot_x0 + (t-from)*scale */
  float *lane_top;        /* per lane: the top of its row (for clicks) */
  size_t nlanes;
  float lane_h;
  tl_dl_panel panels[TL_DL_MAX_PANELS];
  int npanels;
  int oom;                /* an allocation failed: items are missing */
} tl_display;

typedef struct tl_display_opts {
  float width;            /* px */
  float height;           /* px; 0: as tall as the lanes need */
  uint64_t t_from, t_to;  /* both 0: the whole trace */
  int legend;             /* draw the legend */
  const char *title;      /* a heading, or NULL */
  uint64_t live_to;       /* a live view: what is still going on runs on to
                           * here (after the last event); 0: not live */
  int focus_lane;         /* a lane drawn with all it touches, the rest
                           * faded; -1: none */
  int waitfor;            /* below the legend, the wait-for graph of the
                           * last deadlock, if there was one */
  float max_lane_h;       /* with a fixed height, lanes grow to fill it up
                           * to this (0: they keep their usual 36 px) */
  int group_short;        /* threads whose whole life is too short to see
                           * share one row per process that counts them */
  float tips_near;        /* >= 0: only items within a few px of this x get
                           * their tooltip (a window's pointer: faster);
                           * < 0 (the default): every item */
} tl_display_opts;

/* 1200 px wide, natural height, whole trace, with a legend, no focus. */
void tl_display_opts_default(tl_display_opts *o);
/* NULL only when out of memory. */
tl_display *tl_display_build(const tl_layout *l, const tl_display_opts *o);
void tl_display_free(tl_display *d);
const char *tl_display_str(const tl_display *d, uint32_t off);
/* The trace time under pixel column x (for zoom at the cursor). */
uint64_t tl_display_time_at(const tl_display *d, float x);

/* The wait-for graph alone, width x height px: of deadlock `which` (an
 * index into l->deadlocks) or, which < 0, as the waits stand now. */
tl_display *tl_display_waitfor_build(const tl_layout *l, int which, float width, float height);

/* Adds a caption box at the bottom of d: head in bold, then text wrapped
 * to a few lines (cut with an ellipsis). For an animation's held frames. */
void tl_display_caption(tl_display *d, const char *head, const char *text);

/* The pixel column of time t (the inverse of tl_display_time_at). */
double tl_display_x_of(const tl_display *d, uint64_t t);

/* The display list as text, one item a line, with each text's box as
 * placed (for tests of the picture's rules, and for reading). */
int tl_display_write_text(const tl_display *d, FILE *out);

/* The one way views write a time: "532 ns", "12.3 µs", "4.56 ms", "1.234 s". */
void tl_format_ns(char *buf, size_t n, double ns);

/* Colour of a lane state, of a thread (GIL row), as 0xRRGGBBAA. */
uint32_t tl_display_state_colour(int state);
uint32_t tl_display_thread_colour(int lane);

#endif
