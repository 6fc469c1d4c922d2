/* A caption over a picture: an animation's frame, held at a lesson step,
 * shows the step's title and its narration in a box at the bottom, in the
 * colours of the window's narration panel. */
#include "display_private.h"

#include <string.h>

#define TL__CAP_LINES 4

/* The longest start of s (at most one line of it) that fits max_px,
 * broken after a space where there is one (CJK text breaks anywhere). */
static size_t tl__fit(const char *s, float size, float max_px) {
  char buf[512];
  size_t n = 0, space = 0, next;
  while (s[n] && s[n] != '\n') {
    next = n + 1;
    while ((s[next] & 0xC0) == 0x80) next++;
    if (next >= sizeof buf) break;
    memcpy(buf, s, next);
    buf[next] = '\0';
    if (tl__text_w(buf, size, 0) > max_px) break;
    if (s[n] == ' ') space = next;
    n = next;
  }
  if (s[n] && s[n] != '\n' && space) return space;
  return n;
}

void tl_display_caption(tl_display *d, const char *head, const char *text) {
  float x0 = 12, x1 = d->width - 12, w = x1 - x0 - 24, y, y0;
  char lines[TL__CAP_LINES][512];
  int n = 0, i;
  const char *p = text ? text : "";
  while (*p && n < TL__CAP_LINES) {
    size_t k = tl__fit(p, TL__FONT, w);
    if (!k && *p != '\n') k = strcspn(p, "\n");
    snprintf(lines[n++], sizeof lines[0], "%.*s", (int)(k < 500 ? k : 500), p);
    p += k;
    while (*p == ' ') p++;
    if (*p == '\n') p++;
  }
  if (*p && n) { /* more than fits: the last line says so (cut to fit below) */
    size_t k = strlen(lines[n - 1]);
    if (k + 5 < sizeof lines[0]) memcpy(lines[n - 1] + k, " …", 5);
  }
  y0 = d->height - 10 - (24 + 16 * (float)n);
  if (y0 < 0) y0 = 0;
  tl__rect(d, TL_ROLE_CHROME, x0, y0, x1, d->height - 6, tl__rgba(TL_THEME_PANEL))->stroke =
      tl__rgba(TL_THEME_PANEL_EDGE);
  y = y0 + 18;
  tl__text(d, TL_ROLE_CHROME, x0 + 12, y, tl__str(d, head ? head : "", 13, w, 0), 13,
           TL_ANCHOR_START, tl__rgba(TL_THEME_TOOLTIP))->bold = 1;
  for (i = 0; i < n; i++) {
    y += 16;
    tl__text(d, TL_ROLE_CHROME, x0 + 12, y, tl__str(d, lines[i], TL__FONT, w, 0), TL__FONT,
             TL_ANCHOR_START, tl__rgba(TL_THEME_TOOLTIP));
  }
}
