/* The display list's items and strings: appending items, copying text
 * into the string pool (always valid UTF-8, cut with an ellipsis to a
 * width), times and object names as people read them. See display.h. */
#include "display_private.h"
#include "utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- items and strings ---------------------------------------------- */

tl_dl_item *tl__item(tl_display *d, int kind, int role) {
  static _Thread_local tl_dl_item scratch; /* absorbs writes once memory ran out */
  tl_dl_item *it;
  if (d->n == d->cap) {
    size_t c = d->cap ? d->cap * 2 : 256;
    void *p = realloc(d->items, c * sizeof *d->items);
    if (!p) {
      d->oom = 1;
      return memset(&scratch, 0, sizeof scratch);
    }
    d->items = p;
    d->cap = c;
  }
  it = &d->items[d->n++];
  memset(it, 0, sizeof *it);
  it->kind = (uint8_t)kind;
  it->role = (uint8_t)role;
  it->count = 1;
  it->lane = it->lane2 = -1;
  return it;
}

/* Advance widths of DejaVu Sans (the painters' first font), in thousandths
 * of an em, for ASCII 0x20-0x7E, regular and bold, as SDL2_ttf measures
 * them: labels are placed by these, so they must not be short of what is
 * drawn. CJK is one em; other glyphs are taken wide. */
static const uint16_t tl__adv[95] = {
     317,  400,  459,  837,  636,  950,  779,  274,  390,  390,  500,  837,  317,  360,  317,  337,
     636,  636,  636,  636,  636,  636,  636,  636,  636,  636,  336,  336,  837,  837,  837,  530,
    1000,  684,  686,  698,  770,  631,  575,  774,  751,  294,  346,  677,  557,  862,  748,  787,
     603,  787,  694,  634,  617,  731,  684,  988,  685,  615,  685,  390,  337,  390,  837,  520,
     500,  612,  634,  549,  634,  615,  372,  634,  633,  277,  296,  579,  277,  974,  633,  611,
     634,  634,  412,  521,  392,  633,  591,  817,  591,  591,  524,  636,  336,  636,  837,
};
static const uint16_t tl__adv_bold[95] = {
     348,  456,  521,  837,  695, 1001,  872,  306,  457,  457,  522,  837,  379,  415,  379,  366,
     695,  695,  695,  695,  695,  695,  695,  695,  695,  695,  399,  399,  837,  837,  837,  580,
    1000,  773,  762,  733,  830,  683,  683,  820,  836,  372,  429,  806,  637,  995,  836,  850,
     732,  850,  770,  720,  682,  812,  773, 1103,  771,  744,  725,  457,  366,  457,  837,  500,
     500,  674,  715,  592,  715,  678,  444,  715,  711,  342,  376,  685,  342, 1042,  711,  687,
     715,  715,  493,  595,  478,  711,  651,  923,  645,  651,  582,  711,  365,  711,  837,
};

static float tl__glyph_w(uint32_t c, float size, int bold) {
  if (c >= 0x20 && c < 0x7F) return size * (bold ? tl__adv_bold : tl__adv)[c - 0x20] / 1000.0f;
  if ((c >= 0x2E80 && c <= 0xFFEF) || c >= 0x20000 || c == 0x2026) return size;
  return size * (bold ? 0.78f : 0.7f);
}

static float tl__glyph_px(uint32_t c, float size) {
  return tl__glyph_w(c, size, 0);
}

/* A little over the sum of advances: hinting at small sizes rounds up. */
float tl__text_w(const char *s, float size, int bold) {
  const unsigned char *p = (const unsigned char *)s;
  float w = 0;
  while (*p) w += tl__glyph_w(tl_utf8_next(&p), size, bold);
  return w * 1.03f;
}

float tl__text_px(const char *s, float size) {
  return tl__text_w(s, size, 0);
}

uint32_t tl__str(tl_display *d, const char *s, float size, float max_px, int keep_nl) {
  const unsigned char *p = (const unsigned char *)s;
  size_t need = strlen(s) * 3 + 8, off = d->nstr, len = 0;
  float w = 0, ell = tl__glyph_px(0x2026, size) * 1.03f;
  int whole;
  if (!*s || max_px < ell * 2) return 0;
  whole = tl__text_px(s, size) <= max_px; /* then no room is kept for a "…" */
  if (d->nstr + need > d->capstr) {
    size_t c = d->capstr ? d->capstr : 4096;
    char *q;
    while (c < d->nstr + need) c *= 2;
    if (!(q = realloc(d->strings, c))) { d->oom = 1; return 0; }
    d->strings = q;
    d->capstr = c;
  }
  while (*p) {
    const unsigned char *at = p;
    uint32_t c = tl_utf8_next(&p);
    float cw = tl__glyph_px(c, size) * 1.03f;
    if (c < 0x20 || c == 0x7F) c = (c == '\n' && keep_nl) ? '\n' : ' ';
    if (!whole && w + cw > max_px - (*p ? ell : 0)) {
      if (at == (const unsigned char *)s) return 0;
      len += tl_utf8_put(d->strings + off + len, 0x2026);
      break;
    }
    w += cw;
    len += tl_utf8_put(d->strings + off + len, c);
  }
  d->strings[off + len] = '\0';
  d->nstr += len + 1;
  return (uint32_t)off;
}

uint32_t tl__strf(tl_display *d, const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return tl__str(d, buf, 1, 1e9f, 1);
}

const char *tl_display_str(const tl_display *d, uint32_t off) {
  return off && off < d->nstr ? d->strings + off : "";
}

void tl_format_ns(char *buf, size_t n, double ns) {
  if (ns < 1e3) snprintf(buf, n, "%.0f ns", ns);
  else if (ns < 1e6) snprintf(buf, n, "%.3g µs", ns / 1e3);
  else if (ns < 1e9) snprintf(buf, n, "%.3g ms", ns / 1e6);
  else snprintf(buf, n, "%.4g s", ns / 1e9);
}

void tl__obj_label(const tl_layout *l, uint32_t obj, char *buf, size_t n) {
  const char *name = tl_layout_lock_name(l, obj);
  if (name) snprintf(buf, n, "%s %s", tl_layout_obj_type(l, obj), name);
  else snprintf(buf, n, "%s #%u", tl_layout_obj_type(l, obj), obj);
}

/* ---- primitive helpers ----------------------------------------------- */

tl_dl_item *tl__rect(tl_display *d, int role, float x0, float y0, float x1, float y1,
                     uint32_t fill) {
  tl_dl_item *it = tl__item(d, TL_DL_RECT, role);
  it->x0 = x0; it->y0 = y0; it->x1 = x1; it->y1 = y1;
  it->fill = fill;
  return it;
}

tl_dl_item *tl__line(tl_display *d, int kind, int role, float x0, float y0, float x1, float y1,
                     uint32_t stroke, float width, int dash) {
  tl_dl_item *it = tl__item(d, kind, role);
  it->x0 = x0; it->y0 = y0; it->x1 = x1; it->y1 = y1;
  it->stroke = stroke;
  it->size = width;
  it->dash = (uint8_t)dash;
  return it;
}

tl_dl_item *tl__text(tl_display *d, int role, float x, float y, uint32_t text, float size,
                     int anchor, uint32_t fill) {
  tl_dl_item *it = tl__item(d, TL_DL_TEXT, role);
  it->x0 = x; it->y0 = y;
  it->text = text;
  it->size = size;
  it->anchor = (uint8_t)anchor;
  it->fill = fill;
  return it;
}
