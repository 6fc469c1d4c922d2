/* Animated GIF through giflib. See anim_enc.h. */
#include "anim_enc.h"

#include <stdlib.h>
#include <string.h>

static int tl__gif_out(GifFileType *g, const GifByteType *p, int n) {
  return (int)fwrite(p, 1, (size_t)n, g->UserData);
}

/* The palette: the still picture's 256 most used colours (a diagram's
 * fills, its background, its text), counted in a small hash table; the
 * rest (the edges of text and lines) take the nearest of them. Ties go by
 * colour value, so the palette is the same every time. */
#define TL__HASH (1u << 16)
typedef struct tl__count {
  uint32_t rgb, n; /* n 0: empty */
} tl__count;

static int tl__by_use(const void *a, const void *b) {
  const tl__count *x = a, *y = b;
  if (x->n != y->n) return x->n < y->n ? 1 : -1;
  return x->rgb < y->rgb ? -1 : x->rgb > y->rgb;
}

static int tl__gif_palette(tl__enc *e, const unsigned char *rgb) {
  size_t n = (size_t)e->w * e->h, i;
  tl__count *t = calloc(TL__HASH, sizeof *t);
  int k;
  if (!t || !(e->map = GifMakeMapObject(256, NULL)) ||
      !(e->lut = calloc(1u << 24, sizeof *e->lut))) {
    free(t);
    return -1;
  }
  for (i = 0; i < n; i++) {
    uint32_t c = (uint32_t)rgb[3 * i] << 16 | rgb[3 * i + 1] << 8 | rgb[3 * i + 2];
    uint32_t h = (c * 2654435761u) >> 16, probe;
    for (probe = 0; probe < 64; probe++, h = (h + 1) & (TL__HASH - 1))
      if (!t[h].n || t[h].rgb == c) {
        t[h].rgb = c;
        t[h].n++;
        break;
      }
  }
  qsort(t, TL__HASH, sizeof *t, tl__by_use);
  for (k = 0; k < 256; k++) {
    uint32_t c = t[k].n ? t[k].rgb : t[0].rgb;
    e->map->Colors[k].Red = (GifByteType)(c >> 16);
    e->map->Colors[k].Green = (GifByteType)(c >> 8);
    e->map->Colors[k].Blue = (GifByteType)c;
    if (t[k].n) e->lut[c] = (uint16_t)(k + 1);
  }
  free(t);
  return 0;
}

static GifByteType tl__gif_index(tl__enc *e, const unsigned char *px) {
  uint32_t c = (uint32_t)px[0] << 16 | px[1] << 8 | px[2];
  int k, best = 0;
  long bestd = -1;
  if (e->lut[c]) return (GifByteType)(e->lut[c] - 1);
  for (k = 0; k < 256; k++) {
    long dr = px[0] - e->map->Colors[k].Red, dg = px[1] - e->map->Colors[k].Green,
         db = px[2] - e->map->Colors[k].Blue, d = 3 * dr * dr + 4 * dg * dg + 2 * db * db;
    if (bestd < 0 || d < bestd) bestd = d, best = k;
  }
  e->lut[c] = (uint16_t)(best + 1);
  return (GifByteType)best;
}

int tl__gif_frame(tl__enc *e, const unsigned char *rgb, int x0, int y0, int w, int h,
                         unsigned cs) {
  unsigned char gce[4] = {1 << 2, (unsigned char)(cs & 255), (unsigned char)(cs >> 8), 0};
  int x, y;
  if (EGifPutExtension(e->gif, GRAPHICS_EXT_FUNC_CODE, 4, gce) != GIF_OK ||
      EGifPutImageDesc(e->gif, x0, y0, w, h, false, NULL) != GIF_OK)
    return -1;
  for (y = y0; y < y0 + h; y++) {
    for (x = 0; x < w; x++) e->line[x] = tl__gif_index(e, rgb + 3 * ((size_t)y * e->w + x0 + x));
    if (EGifPutLine(e->gif, e->line, w) != GIF_OK) return -1;
  }
  return 0;
}

int tl__gif_begin(tl__enc *e, const unsigned char *still) {
  static const unsigned char loop[3] = {1, 0, 0}; /* play for ever */
  int gerr;
  if (tl__gif_palette(e, still) || !(e->line = malloc((size_t)e->w))) return -1;
  if (!(e->gif = EGifOpen(e->f, tl__gif_out, &gerr))) return -1;
  EGifSetGifVersion(e->gif, true);
  if (EGifPutScreenDesc(e->gif, e->w, e->h, 8, 0, e->map) != GIF_OK ||
      EGifPutExtensionLeader(e->gif, APPLICATION_EXT_FUNC_CODE) != GIF_OK ||
      EGifPutExtensionBlock(e->gif, 11, "NETSCAPE2.0") != GIF_OK ||
      EGifPutExtensionBlock(e->gif, 3, loop) != GIF_OK ||
      EGifPutExtensionTrailer(e->gif) != GIF_OK)
    return -1;
  return 0;
}

int tl__gif_end(tl__enc *e) {
  int gerr, rc = EGifCloseFile(e->gif, &gerr) == GIF_OK ? 0 : -1;
  e->gif = NULL;
  return rc;
}

void tl__gif_free(tl__enc *e) {
  int gerr;
  if (e->gif) EGifCloseFile(e->gif, &gerr);
  e->gif = NULL;
  GifFreeMapObject(e->map);
  e->map = NULL;
  free(e->lut);
  e->lut = NULL;
  free(e->line);
  e->line = NULL;
}
