/* What anim.c and its two encoders (anim_gif.c, anim_apng.c) share: an
 * encoder is given frames as rectangles of RGB pixels that changed, each
 * with how long it shows. Not for other files: they use anim.h. */
#ifndef TL_ANIM_ENC_H
#define TL_ANIM_ENC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <gif_lib.h>

typedef struct tl__buf {
  unsigned char *p;
  size_t n, cap;
} tl__buf;

/* Appends n bytes; -1 when out of memory. */
int tl__put(tl__buf *b, const void *p, size_t n);
void tl__be32(unsigned char *p, uint32_t v);

/* The encoder: the frame showing, the one to write next and how long it
 * shows, and each format's state. */
typedef struct tl__enc {
  int format, w, h, nframes;
  FILE *f;
  unsigned char *shown;   /* what the viewer shows now (RGB) */
  unsigned char *pending; /* the next frame, not yet written */
  unsigned pending_cs;    /* how long it shows, in 1/100 s */
  int has_pending;
  /* GIF */
  GifFileType *gif;
  ColorMapObject *map;
  uint16_t *lut;          /* 0xRRGGBB -> palette index + 1 (0: not looked up) */
  unsigned char *line;
  /* APNG */
  tl__buf body;           /* the frames' chunks; acTL needs their count first */
  uint32_t seq;
} tl__enc;

/* GIF (anim_gif.c): the palette from the still picture, then frames. */
int tl__gif_begin(tl__enc *e, const unsigned char *still);
int tl__gif_frame(tl__enc *e, const unsigned char *rgb, int x0, int y0, int w, int h,
                  unsigned cs);
int tl__gif_end(tl__enc *e);
void tl__gif_free(tl__enc *e);
/* APNG (anim_apng.c): frames into e->body, then the file. */
int tl__apng_frame(tl__enc *e, const unsigned char *rgb, int x0, int y0, int w, int h,
                   unsigned cs);
int tl__apng_end(tl__enc *e);

#endif
