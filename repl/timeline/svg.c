/* Painting a display list as SVG. See svg.h. */
#include "svg.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic_file.h"
#include "layout.h"

/* Colours go out as #rrggbb plus an opacity only when not opaque. */
static void tl__svg_paint_attr(FILE *f, const char *what, uint32_t rgba) {
  unsigned a = rgba & 255;
  if (!a) {
    fprintf(f, " %s=\"none\"", what);
    return;
  }
  fprintf(f, " %s=\"#%06x\"", what, (unsigned)(rgba >> 8));
  if (a != 255) fprintf(f, " %s-opacity=\"%.3f\"", what, a / 255.0);
}

/* XML text: the five specials escaped; the display list already made the
 * text valid UTF-8 without control characters, except newlines in titles. */
static void tl__svg_escape(FILE *f, const char *s) {
  for (; *s; s++) {
    switch (*s) {
      case '&': fputs("&amp;", f); break;
      case '<': fputs("&lt;", f); break;
      case '>': fputs("&gt;", f); break;
      case '"': fputs("&quot;", f); break;
      case '\'': fputs("&apos;", f); break;
      case '\n': fputs("&#10;", f); break;
      default:
        if ((unsigned char)*s >= 0x20 || *s == '\t') fputc(*s, f);
        else fputc(' ', f);
    }
  }
}

static void tl__svg_dash(FILE *f, const tl_dl_item *it) {
  if (it->dash == TL_DASH_DASHED) fprintf(f, " stroke-dasharray=\"5 3\"");
  else if (it->dash == TL_DASH_DOTTED) fprintf(f, " stroke-dasharray=\"1.5 2.5\"");
}

/* Closes an element, with its tooltip as a <title> child if it has one. */
/* Inside an HTML page the script reads which lanes an item belongs to (a
 * click on a lane lights up what it touches). */
static void tl__svg_lanes(FILE *f, const tl_dl_item *it, int page) {
  if (!page) return;
  if (it->lane >= 0) fprintf(f, " data-l=\"%d\"", (int)it->lane);
  if (it->lane2 >= 0) fprintf(f, " data-m=\"%d\"", (int)it->lane2);
}

static void tl__svg_close(FILE *f, const tl_display *d, const tl_dl_item *it, const char *tag,
                          int page) {
  tl__svg_lanes(f, it, page);
  if (!it->title) {
    fputs("/>\n", f);
    return;
  }
  fputs("><title>", f);
  tl__svg_escape(f, tl_display_str(d, it->title));
  fprintf(f, "</title></%s>\n", tag);
}

static void tl__svg_arrow(FILE *f, const tl_display *d, const tl_dl_item *it, int page) {
  float dx = it->x1 - it->x0, dy = it->y1 - it->y0, len = sqrtf(dx * dx + dy * dy);
  float head = 5 + 2 * it->size, ux, uy, bx, by;
  if (len < 1e-3f) return;
  ux = dx / len;
  uy = dy / len;
  if (head > len * 0.6f) head = len * 0.6f;
  bx = it->x1 - ux * head; /* the line stops where the head begins */
  by = it->y1 - uy * head;
  fputs("<g", f);
  tl__svg_lanes(f, it, page);
  fputs(">", f);
  fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke-width=\"%.2f\"",
          it->x0, it->y0, bx, by, it->size);
  tl__svg_paint_attr(f, "stroke", it->stroke);
  tl__svg_dash(f, it);
  fputs("/>", f);
  fprintf(f, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\"", it->x1, it->y1,
          bx - uy * head * 0.45f, by + ux * head * 0.45f, bx + uy * head * 0.45f,
          by - ux * head * 0.45f);
  tl__svg_paint_attr(f, "fill", it->stroke);
  fputs("/>", f);
  if (it->title) {
    fputs("<title>", f);
    tl__svg_escape(f, tl_display_str(d, it->title));
    fputs("</title>", f);
  }
  fputs("</g>\n", f);
}

static void tl__svg_glyph(FILE *f, const tl_display *d, const tl_dl_item *it, int page) {
  float x = it->x0, y = it->y0, r = it->size;
  const char *tag = "polygon";
  switch (it->shape) {
    case TL_SHAPE_CIRCLE:
      tag = "circle";
      fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\"", x, y, r);
      break;
    case TL_SHAPE_DIAMOND:
      fprintf(f, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f\"", x, y - r * 1.2f,
              x + r, y, x, y + r * 1.2f, x - r, y);
      break;
    case TL_SHAPE_TRIANGLE_DOWN:
      fprintf(f, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\"", x - r * 1.1f, y - r,
              x + r * 1.1f, y - r, x, y + r);
      break;
    case TL_SHAPE_CROSS:
      tag = "path";
      fprintf(f, "<path d=\"M%.1f %.1fL%.1f %.1fM%.1f %.1fL%.1f %.1f\" stroke-width=\"2\"",
              x - r, y - r, x + r, y + r, x - r, y + r, x + r, y - r);
      tl__svg_paint_attr(f, "stroke", it->stroke);
      fputs(" fill=\"none\"", f);
      tl__svg_close(f, d, it, tag, page);
      return;
    default:
      tag = "rect";
      fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"", x - r, y - r,
              2 * r, 2 * r);
  }
  tl__svg_paint_attr(f, "fill", it->fill);
  tl__svg_paint_attr(f, "stroke", it->stroke);
  fputs(" stroke-width=\"1\"", f);
  tl__svg_close(f, d, it, tag, page);
}

static void tl__svg_item(FILE *f, const tl_display *d, const tl_dl_item *it, int page) {
  static const char *const anchors[] = {"start", "middle", "end"};
  switch (it->kind) {
    case TL_DL_RECT:
      fprintf(f, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\"", it->x0, it->y0,
              it->x1 - it->x0, it->y1 - it->y0);
      if (it->size > 0) fprintf(f, " rx=\"%.1f\"", it->size);
      tl__svg_paint_attr(f, "fill", it->fill);
      if (it->stroke & 255) tl__svg_paint_attr(f, "stroke", it->stroke);
      tl__svg_close(f, d, it, "rect", page);
      break;
    case TL_DL_LINE:
      fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke-width=\"%.2f\"",
              it->x0, it->y0, it->x1, it->y1, it->size);
      tl__svg_paint_attr(f, "stroke", it->stroke);
      tl__svg_dash(f, it);
      tl__svg_close(f, d, it, "line", page);
      break;
    case TL_DL_ARROW:
      tl__svg_arrow(f, d, it, page);
      break;
    case TL_DL_TEXT:
      if (!it->text) break;
      fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.1f\" text-anchor=\"%s\"", it->x0,
              it->y0, it->size, anchors[it->anchor < 3 ? it->anchor : 0]);
      if (it->bold) fputs(" font-weight=\"bold\"", f);
      tl__svg_paint_attr(f, "fill", it->fill);
      tl__svg_lanes(f, it, page);
      fputc('>', f);
      tl__svg_escape(f, tl_display_str(d, it->text));
      if (it->title) {
        fputs("<title>", f);
        tl__svg_escape(f, tl_display_str(d, it->title));
        fputs("</title>", f);
      }
      fputs("</text>\n", f);
      break;
    case TL_DL_GLYPH:
      tl__svg_glyph(f, d, it, page);
      break;
    default:
      break;
  }
}

void tl_svg_escape(FILE *f, const char *s) {
  tl__svg_escape(f, s);
}

void tl_svg_paint_open(const tl_display *d, FILE *f, const char *id) {
  fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\"");
  if (id) fprintf(f, " id=\"%s\"", id);
  fprintf(f, " width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" font-family=\"",
          d->width, d->height, d->width, d->height);
  tl__svg_escape(f, d->font_family ? d->font_family : "sans-serif");
  fputs("\">\n<title>threadlab timeline</title>\n", f);
}

int tl_svg_paint_element(const tl_display *d, FILE *f, const char *id) {
  size_t i;
  tl_svg_paint_open(d, f, id);
  for (i = 0; i < d->n; i++) tl__svg_item(f, d, &d->items[i], id != NULL);
  fputs("</svg>\n", f);
  return ferror(f) ? -1 : 0;
}

void tl_svg_item_span(const tl_display *d, size_t i, float *a, float *b) {
  const tl_dl_item *it = &d->items[i];
  float w;
  *a = it->x0 < it->x1 ? it->x0 : it->x1;
  *b = it->x0 < it->x1 ? it->x1 : it->x0;
  if (it->kind == TL_DL_TEXT) { /* bytes, not glyphs: never too short */
    w = (float)strlen(tl_display_str(d, it->text)) * it->size * 0.7f;
    *a = it->x0 - (it->anchor == TL_ANCHOR_END ? w : it->anchor == TL_ANCHOR_MIDDLE ? w / 2 : 0);
    *b = *a + w;
  } else if (it->kind == TL_DL_GLYPH) {
    *a = it->x0 - it->size * 1.5f;
    *b = it->x0 + it->size * 1.5f;
  } else if (it->kind == TL_DL_ARROW) {
    *a -= 5 + 2 * it->size;
    *b += 5 + 2 * it->size;
  }
  *a -= 2;
  *b += 2;
}

void tl_svg_paint_item(const tl_display *d, FILE *f, size_t i) {
  tl__svg_item(f, d, &d->items[i], 1);
}

int tl_svg_paint(const tl_display *d, FILE *f) {
  fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
  return tl_svg_paint_element(d, f, NULL);
}

/* Writes to a temporary file beside path and renames it into place, so a
 * failed export never leaves a truncated picture where a good one was. */
static int tl__svg_writer(FILE *f, const char *tmp, void *d, char *err, size_t errlen) {
  return tl_svg_paint(d, f);
}

int tl_svg_write_display(const tl_display *d, const char *path, char *err, size_t errlen) {
  return tl_write_file_atomic(path, NULL, tl__svg_writer, (void *)d, err, errlen);
}

int tl_svg_write(const tl_trace *tr, const char *path, char *err, size_t errlen) {
  tl_layout *l = tl_layout_build(tr);
  tl_display *d = NULL;
  tl_display_opts o;
  int rc = -1;
  tl_display_opts_default(&o);
  if (l) d = tl_display_build(l, &o);
  if (!d) snprintf(err, errlen, "%s: out of memory laying out the trace", path);
  else rc = tl_svg_write_display(d, path, err, errlen);
  tl_display_free(d);
  tl_layout_free(l);
  return rc;
}
