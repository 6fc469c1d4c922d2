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

/* No font metrics here (painters differ); CJK is about one em wide, the
 * rest of DejaVu Sans about 0.6 em. Overestimating only drops a label. */
static float tl__glyph_px(uint32_t c, float size) {
  return (c >= 0x2E80 && c <= 0xFFEF) || c >= 0x20000 ? size : size * 0.6f;
}

float tl__text_px(const char *s, float size) {
  const unsigned char *p = (const unsigned char *)s;
  float w = 0;
  while (*p) w += tl__glyph_px(tl_utf8_next(&p), size);
  return w;
}

uint32_t tl__str(tl_display *d, const char *s, float size, float max_px, int keep_nl) {
  const unsigned char *p = (const unsigned char *)s;
  size_t need = strlen(s) * 3 + 8, off = d->nstr, len = 0;
  float w = 0, ell = tl__glyph_px(0x2026, size);
  if (!*s || max_px < ell * 2) return 0;
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
    float cw = tl__glyph_px(c, size);
    if (c < 0x20 || c == 0x7F) c = (c == '\n' && keep_nl) ? '\n' : ' ';
    if (w + cw > max_px - (*p ? ell : 0)) {
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
