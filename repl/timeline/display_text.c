/* The display list as text (tl_display_write_text): panels, then every
 * item in painting order, each text with the box it takes by the same
 * widths the layout placed it with. Tests read it to check the picture's
 * rules: no text over another, none outside its panel, no empty rows. */
#include "display_private.h"

#include <stdio.h>

void tl__panel(tl_display *d, const char *name, float x0, float y0, float x1, float y1) {
  if (!d || d->npanels >= TL_DL_MAX_PANELS) return;
  d->panels[d->npanels].x0 = x0;
  d->panels[d->npanels].y0 = y0;
  d->panels[d->npanels].x1 = x1;
  d->panels[d->npanels].y1 = y1;
  d->panels[d->npanels].name = name;
  d->npanels++;
}

static const char *const tl__kind_names[] = {"rect", "line", "arrow", "text", "glyph"};
static const char *const tl__role_names[] = {"chrome", "label", "segment", "gil", "arrow",
                                             "marker"};

static void tl__quoted(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') fprintf(f, "\\%c", *s);
    else if (*s == '\n') fputs("\\n", f);
    else fputc(*s, f);
  }
  fputc('"', f);
}

int tl_display_write_text(const tl_display *d, FILE *out) {
  size_t i;
  int p;
  fprintf(out, "display %.1f %.1f plot %.1f %.1f\n", d->width, d->height, d->plot_x0,
          d->plot_x1);
  for (p = 0; p < d->npanels; p++)
    fprintf(out, "panel %s %.1f %.1f %.1f %.1f\n", d->panels[p].name, d->panels[p].x0,
            d->panels[p].y0, d->panels[p].x1, d->panels[p].y1);
  for (i = 0; i < d->nlanes && d->lane_top; i++)
    if (d->lane_top[i] >= 0) /* a lane with no row lies above the picture */
      fprintf(out, "lane %zu %.1f %.1f\n", i, d->lane_top[i], d->lane_top[i] + d->lane_h);
  for (i = 0; i < d->n; i++) {
    const tl_dl_item *it = &d->items[i];
    float x0 = it->x0, y0 = it->y0, x1 = it->x1, y1 = it->y1;
    const char *text = tl_display_str(d, it->text);
    if (it->kind == TL_DL_TEXT) {
      float w = tl__text_w(text, it->size, it->bold);
      x0 = it->anchor == TL_ANCHOR_START ? it->x0 : it->anchor == TL_ANCHOR_MIDDLE ? it->x0 - w / 2
                                                                                  : it->x0 - w;
      x1 = x0 + w;
      y0 = it->y0 - it->size * 0.8f; /* ascent over the baseline, descent under */
      y1 = it->y0 + it->size * 0.25f;
    } else if (it->kind == TL_DL_GLYPH) {
      x0 = it->x0 - it->size, x1 = it->x0 + it->size;
      y0 = it->y0 - it->size, y1 = it->y0 + it->size;
    }
    fprintf(out, "%s %s lane=%d lane2=%d ref=%d count=%u box %.1f %.1f %.1f %.1f",
            it->kind < 5 ? tl__kind_names[it->kind] : "?",
            it->role < 6 ? tl__role_names[it->role] : "?", (int)it->lane, (int)it->lane2,
            (int)it->ref, it->count, x0, y0, x1, y1);
    if (it->role == TL_ROLE_MARKER) fprintf(out, " kind=%s", tl_event_kind_name((unsigned)it->ref));
    if (it->kind == TL_DL_TEXT) {
      fprintf(out, " size=%.1f bold=%d ", it->size, it->bold);
      tl__quoted(out, text);
    }
    fputc('\n', out);
  }
  return ferror(out) ? -1 : 0;
}
