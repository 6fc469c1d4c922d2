/* The wait-for graph: threads and the locks they wait for, an arrow from
 * each waiting thread to its lock ("waits for") and from the lock to its
 * owner ("held by"); a join is an arrow from thread to thread. The nodes of
 * a cycle go round an ellipse in the cycle's order, so a deadlock reads as
 * a loop, drawn red. */
#include "display_private.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TL__NODES 48
#define TL__NODE_H 26.0f

typedef struct tl__node {
  int lock;             /* 1: a lock (id); 0: a thread (lane) */
  int32_t id;
  float x, y, w;        /* centre and width */
  int cycle;
} tl__node;

typedef struct tl__graph {
  tl__node node[TL__NODES];
  int n;
  float cx, cy;         /* the middle of the loop: labels go outside it */
  int cross;            /* threads of several processes: names say whose */
} tl__graph;

static int tl__node_of(tl__graph *gr, int lock, int32_t id, int cycle) {
  int i;
  for (i = 0; i < gr->n; i++)
    if (gr->node[i].lock == lock && gr->node[i].id == id) {
      gr->node[i].cycle |= cycle;
      return i;
    }
  if (gr->n == TL__NODES) return -1;
  memset(&gr->node[gr->n], 0, sizeof gr->node[gr->n]);
  gr->node[gr->n].lock = lock;
  gr->node[gr->n].id = id;
  gr->node[gr->n].cycle = cycle;
  return gr->n++;
}

/* Nodes in the order they go round: each cycle walked from its first
 * thread, then the other waits. */
static void tl__order(tl__graph *gr, const tl_wait_edge *e, size_t n) {
  size_t i, k, steps;
  for (i = 0; i < n; i++) {
    int32_t cur;
    if (!e[i].cycle || gr->n == TL__NODES) continue;
    for (k = 0; k < (size_t)gr->n && (gr->node[k].lock || gr->node[k].id != e[i].waiter); k++) {}
    if (k < (size_t)gr->n) continue; /* that cycle is placed */
    cur = e[i].waiter;
    for (steps = 0; steps <= n; steps++) {
      for (k = 0; k < n && e[k].waiter != cur; k++) {}
      if (k == n) break;
      tl__node_of(gr, 0, cur, 1);
      if (!e[k].join) tl__node_of(gr, 1, (int32_t)e[k].obj, 1);
      cur = e[k].holder;
      if (cur == e[i].waiter || cur < 0) break;
    }
  }
  for (i = 0; i < n; i++) {
    tl__node_of(gr, 0, e[i].waiter, 0);
    if (!e[i].join) tl__node_of(gr, 1, (int32_t)e[i].obj, 0);
    if (e[i].holder >= 0) tl__node_of(gr, 0, e[i].holder, 0);
  }
}

static void tl__node_label(const tl_layout *l, const tl__graph *gr, const tl__node *nd,
                           char *buf, size_t n) {
  char q[160];
  if (nd->lock) tl__obj_label(l, (uint32_t)nd->id, buf, n);
  else snprintf(buf, n, "%s", tl_layout_lane_label(l, nd->id, gr->cross, q, sizeof q));
}

/* Round an ellipse (one row when there are two); returns its bottom. */
static float tl__place(tl__graph *gr, const tl_layout *l, float x, float y, float w, float h) {
  float cx = x + w / 2, cy = y + h / 2, wmax = 0, rx, ry;
  char buf[200];
  int i;
  for (i = 0; i < gr->n; i++) {
    tl__node_label(l, gr, &gr->node[i], buf, sizeof buf);
    gr->node[i].w = tl__text_px(buf, 12) + (gr->node[i].lock ? 22 : 34);
    if (gr->node[i].w > 200) gr->node[i].w = 200;
    if (gr->node[i].w > wmax) wmax = gr->node[i].w;
  }
  rx = (w - wmax) / 2 - 8;
  ry = (h - TL__NODE_H) / 2 - 6;
  if (rx < 10) rx = 10;
  if (ry < 0) ry = 0;
  if (ry > rx * 1.3f) { /* a tall panel: keep the loop round, near the top */
    ry = rx * 1.3f;
    cy = y + ry + TL__NODE_H / 2 + 6;
  }
  for (i = 0; i < gr->n; i++) {
    double a = gr->n == 2 ? 3.14159265 * (1 - i) : -1.5707963 + 6.2831853 * i / gr->n;
    gr->node[i].x = cx + rx * (float)cos(a);
    gr->node[i].y = gr->n == 2 ? cy : cy + ry * (float)sin(a);
  }
  gr->cx = cx;
  gr->cy = gr->n == 2 ? cy - 100 : cy; /* two in a row: labels above */
  return (gr->n == 2 ? cy : cy + ry) + TL__NODE_H / 2;
}

/* Where the line from a's centre towards b leaves a's box. */
static void tl__rim(const tl__node *a, float dx, float dy, float *px, float *py) {
  float hw = a->w / 2 + 3, hh = TL__NODE_H / 2 + 3, t = 1e9f;
  if (fabsf(dx) > 1e-4f) t = hw / fabsf(dx);
  if (fabsf(dy) > 1e-4f && hh / fabsf(dy) < t) t = hh / fabsf(dy);
  *px = a->x + dx * t;
  *py = a->y + dy * t;
}

static void tl__edge(tl_display *d, const tl__graph *gr, const tl__node *a, const tl__node *b,
                     const char *word, int red, const char *title) {
  float dx = b->x - a->x, dy = b->y - a->y, len = sqrtf(dx * dx + dy * dy), x0, y0, x1, y1;
  uint32_t ink = tl__rgba(red ? TL_THEME_DEADLOCK : 0x8A8F99), text;
  tl_dl_item *it;
  if (len < 1) return;
  dx /= len;
  dy /= len;
  tl__rim(a, dx, dy, &x0, &y0);
  tl__rim(b, -dx, -dy, &x1, &y1);
  it = tl__line(d, TL_DL_ARROW, TL_ROLE_CHROME, x0, y0, x1, y1, ink, red ? 2.4f : 1.4f,
                TL_DASH_SOLID);
  it->title = tl__strf(d, "%s", title);
  text = tl__str(d, word, 10, 120, 0);
  if (text) {
    /* beside the middle of the arrow, on the side away from the loop's middle */
    float mx = (x0 + x1) / 2, my = (y0 + y1) / 2, nx = -dy, ny = dx, half = tl__text_px(word, 10) / 2;
    if (nx * (mx - gr->cx) + ny * (my - gr->cy) < 0) nx = -nx, ny = -ny;
    mx += nx * (8 + half * fabsf(nx));
    my += ny * 12 + 3.5f;
    tl__text(d, TL_ROLE_CHROME, mx, my, text, 10, TL_ANCHOR_MIDDLE, ink)->bold = red;
  }
}

static void tl__node_draw(tl_display *d, const tl_layout *l, const tl__graph *gr,
                          const tl__node *nd) {
  char buf[200];
  float x0 = nd->x - nd->w / 2, y0 = nd->y - TL__NODE_H / 2;
  tl_dl_item *it;
  tl__node_label(l, gr, nd, buf, sizeof buf);
  it = tl__rect(d, TL_ROLE_CHROME, x0, y0, x0 + nd->w, y0 + TL__NODE_H,
                nd->lock ? tl__rgba(TL_THEME_LOCK_NODE) : tl__rgba(0xFFFFFF));
  it->size = nd->lock ? 3 : 8;
  it->stroke = nd->lock ? tl__rgba(0x9C7A1C) : tl_display_thread_colour(nd->id);
  it->title = tl__strf(d, nd->lock ? "%s" : "thread %s", buf);
  if (!nd->lock) {
    it->lane = nd->id;
    it = tl__rect(d, TL_ROLE_CHROME, x0 + 8, nd->y - 4, x0 + 16, nd->y + 4,
                  tl_display_thread_colour(nd->id));
    it->size = 2;
  }
  it = tl__text(d, TL_ROLE_CHROME, nd->lock ? nd->x : x0 + 21, nd->y + 4.5f,
                tl__str(d, buf, 12, nd->w - (nd->lock ? 10 : 24), 0), 12,
                nd->lock ? TL_ANCHOR_MIDDLE : TL_ANCHOR_START, tl__rgba(TL_THEME_TEXT));
  it->bold = !nd->lock;
}

void tl__waitfor_panel(tl_display *d, const tl_layout *l, const tl_wait_edge *e, size_t n,
                       float x, float y, float w, float h, const char *heading) {
  tl__graph gr;
  tl_dl_item *it;
  size_t i;
  char obj[160], title[400];
  int k;
  float bottom;
  memset(&gr, 0, sizeof gr);
  tl__panel(d, "waitfor", x, y, x + w, y + h);
  it = tl__rect(d, TL_ROLE_CHROME, x, y, x + w, y + h, tl__rgba(TL_THEME_PANEL));
  it->size = 6;
  it->stroke = tl__rgba(TL_THEME_PANEL_EDGE);
  if (heading)
    tl__text(d, TL_ROLE_CHROME, x + 12, y + 20, tl__str(d, heading, 12, w - 24, 0), 12,
             TL_ANCHOR_START, tl__rgba(TL_THEME_TEXT))->bold = 1;
  if (!n) {
    tl__text(d, TL_ROLE_CHROME, x + w / 2, y + h / 2 + 8,
             tl__str(d, "No thread waits for a lock, an object or another thread.", 11, w - 20, 0), 11,
             TL_ANCHOR_MIDDLE, tl__rgba(TL_THEME_TEXT_MUTED));
    return;
  }
  gr.cross = tl_layout_edges_cross(l, e, n);
  tl__order(&gr, e, n);
  bottom = tl__place(&gr, l, x + 10, y + 34, w - 20, h - 44);
  for (i = 0; i < n; i++) {
    int a = tl__node_of(&gr, 0, e[i].waiter, 0), b;
    char wbuf[160], hbuf[160];
    const char *who = tl_layout_lane_label(l, e[i].waiter, gr.cross, wbuf, sizeof wbuf);
    const char *holder =
        e[i].holder >= 0 ? tl_layout_lane_label(l, e[i].holder, gr.cross, hbuf, sizeof hbuf) : NULL;
    if (a < 0) continue;
    if (e[i].join) {
      if (e[i].holder < 0 || (b = tl__node_of(&gr, 0, e[i].holder, 0)) < 0) continue;
      snprintf(title, sizeof title, "%s joins %s", who, holder);
      tl__edge(d, &gr, &gr.node[a], &gr.node[b], "joins", e[i].cycle, title);
      continue;
    }
    if ((b = tl__node_of(&gr, 1, (int32_t)e[i].obj, 0)) < 0) continue;
    tl__obj_label(l, e[i].obj, obj, sizeof obj);
    snprintf(title, sizeof title, "%s %s %s", who, e[i].on ? "waits on" : "waits for", obj);
    /* A thread waiting for a Lock it holds itself: one edge says both. */
    tl__edge(d, &gr, &gr.node[a], &gr.node[b],
             e[i].on ? "waits on" : e[i].holder == e[i].waiter ? "waits for, holds" : "waits for",
             e[i].cycle, title);
    if (holder && e[i].holder != e[i].waiter && (a = tl__node_of(&gr, 0, e[i].holder, 0)) >= 0) {
      snprintf(title, sizeof title, "%s is held by %s", obj, holder);
      tl__edge(d, &gr, &gr.node[b], &gr.node[a], "held by", e[i].cycle, title);
    }
  }
  for (k = 0; k < gr.n; k++) tl__node_draw(d, l, &gr, &gr.node[k]);
  for (k = 0; k < gr.n && !gr.node[k].cycle; k++) {}
  if (k < gr.n && y + h - bottom > 60) { /* room to say what the loop means */
    static const char *const why[] = {"A cycle: each thread in it waits",
                                      "for a lock that the next one holds.",
                                      "None of them can ever go on:", "that is a deadlock."};
    for (k = 0; k < 4; k++)
      tl__text(d, TL_ROLE_CHROME, x + w / 2, bottom + 34 + 17 * (float)k,
               tl__str(d, why[k], 12, w - 20, 0), 12, TL_ANCHOR_MIDDLE,
               tl__rgba(k < 3 ? TL_THEME_TEXT : TL_THEME_DEADLOCK))->bold = k == 3;
  }
}

tl_display *tl_display_waitfor_build(const tl_layout *l, int which, float width, float height) {
  tl_display *d = tl__display_new(width, height);
  tl_wait_edge buf[256];
  const tl_wait_edge *e = buf;
  size_t n;
  char head[120], at[32];
  if (!d) return NULL;
  d->background = tl__rgba(TL_THEME_PANEL);
  tl__rect(d, TL_ROLE_CHROME, 0, 0, width, height, d->background);
  if (which >= 0 && (size_t)which < l->ndeadlocks) {
    e = l->deadlocks[which].edges;
    n = l->deadlocks[which].nedges;
    tl_format_ns(at, sizeof at, (double)l->deadlocks[which].t);
    snprintf(head, sizeof head, "Wait-for graph at the %s (%s)",
             l->deadlocks[which].hang ? "hang" : "deadlock", at);
  } else {
    n = tl_layout_wait_edges(l, -1, buf, 256);
    if (n > 256) n = 256;
    snprintf(head, sizeof head, "Wait-for graph (now)");
  }
  tl__waitfor_panel(d, l, e, n, 6, 6, width - 12, height - 12, head);
  if (d->oom) {
    tl_display_free(d);
    return NULL;
  }
  return d;
}
