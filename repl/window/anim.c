/* Writing animated recordings. See anim.h. */
#include "anim.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <SDL.h>
#include <gif_lib.h>
#include <libpng16/png.h> /* not repl/window/png.h */
#include <zlib.h>

#include "atomic_file.h"
#include "png.h"

typedef struct tl__buf {
  unsigned char *p;
  size_t n, cap;
} tl__buf;

static int tl__put(tl__buf *b, const void *p, size_t n) {
  if (!n) return 0;
  if (b->n + n > b->cap) {
    size_t cap = b->cap ? b->cap : 65536;
    unsigned char *q;
    while (cap < b->n + n) cap *= 2;
    if (!(q = realloc(b->p, cap))) return -1;
    b->p = q;
    b->cap = cap;
  }
  memcpy(b->p + b->n, p, n);
  b->n += n;
  return 0;
}

static void tl__be32(unsigned char *p, uint32_t v) {
  p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
  p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

/* The encoder: frames come with how long they show; one that looks like
 * the one before only lengthens it, and each is written as the rectangle
 * that changed. */
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

/* ---- GIF -------------------------------------------------------------- */

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

static int tl__gif_frame(tl__enc *e, const unsigned char *rgb, int x0, int y0, int w, int h,
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

static int tl__gif_begin(tl__enc *e, const unsigned char *still) {
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

/* ---- APNG: PNG chunks from libpng, the three animation chunks around them */

static void tl__png_write_cb(png_structp p, png_bytep data, png_size_t n) {
  if (tl__put(png_get_io_ptr(p), data, n)) png_error(p, "out of memory");
}

static void tl__png_flush_cb(png_structp p) {}

static int tl__chunk(tl__buf *b, const char *type, const unsigned char *data, size_t n) {
  unsigned char head[8], tail[4];
  uLong crc = crc32(0, (const Bytef *)type, 4);
  if (n) crc = crc32(crc, data, (uInt)n); /* data NULL would restart the CRC */
  tl__be32(head, (uint32_t)n);
  memcpy(head + 4, type, 4);
  tl__be32(tail, (uint32_t)crc);
  return tl__put(b, head, 8) || tl__put(b, data, n) || tl__put(b, tail, 4) ? -1 : 0;
}

/* The rectangle compressed as a PNG by libpng: its IDAT data into idat. */
static int tl__png_idat(const tl__enc *e, const unsigned char *rgb, int x0, int y0, int w,
                        int h, tl__buf *idat) {
  png_structp p = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = p ? png_create_info_struct(p) : NULL;
  tl__buf mem = {0};
  volatile int rc = -1;
  size_t at;
  int y;
  if (!p || !info) goto done;
  if (setjmp(png_jmpbuf(p))) goto done;
  png_set_write_fn(p, &mem, tl__png_write_cb, tl__png_flush_cb);
  png_set_IHDR(p, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(p, info);
  for (y = y0; y < y0 + h; y++) png_write_row(p, rgb + 3 * ((size_t)y * e->w + x0));
  png_write_end(p, NULL);
  for (at = 8; at + 12 <= mem.n;) {
    uint32_t n = (uint32_t)mem.p[at] << 24 | mem.p[at + 1] << 16 | mem.p[at + 2] << 8 |
                 mem.p[at + 3];
    if (at + 12 + n > mem.n) goto done;
    if (memcmp(mem.p + at + 4, "IDAT", 4) == 0 && tl__put(idat, mem.p + at + 8, n)) goto done;
    at += 12 + n;
  }
  rc = 0;
done:
  png_destroy_write_struct(&p, &info);
  free(mem.p);
  return rc;
}

static int tl__apng_frame(tl__enc *e, const unsigned char *rgb, int x0, int y0, int w, int h,
                          unsigned cs) {
  unsigned char fc[26], *data;
  tl__buf idat = {0};
  size_t at;
  int rc = 0;
  tl__be32(fc, e->seq++);
  tl__be32(fc + 4, (uint32_t)w);
  tl__be32(fc + 8, (uint32_t)h);
  tl__be32(fc + 12, (uint32_t)x0);
  tl__be32(fc + 16, (uint32_t)y0);
  fc[20] = (unsigned char)(cs >> 8), fc[21] = (unsigned char)cs; /* delay cs/100 s */
  fc[22] = 0, fc[23] = 100;
  fc[24] = 0; /* dispose: none */
  fc[25] = 0; /* blend: source */
  if (tl__chunk(&e->body, "fcTL", fc, sizeof fc) || tl__png_idat(e, rgb, x0, y0, w, h, &idat)) {
    free(idat.p);
    return -1;
  }
  /* the first frame is the picture a viewer without APNG shows: IDAT */
  for (at = 0; at < idat.n && !rc; at += 1 << 20) {
    size_t n = idat.n - at < (1u << 20) ? idat.n - at : (1u << 20);
    if (!e->nframes) {
      rc = tl__chunk(&e->body, "IDAT", idat.p + at, n);
      continue;
    }
    if (!(data = malloc(n + 4))) rc = -1;
    else {
      tl__be32(data, e->seq++);
      memcpy(data + 4, idat.p + at, n);
      rc = tl__chunk(&e->body, "fdAT", data, n + 4);
      free(data);
    }
  }
  free(idat.p);
  return rc;
}

static int tl__apng_end(tl__enc *e) {
  static const unsigned char sig[8] = {137, 'P', 'N', 'G', 13, 10, 26, 10};
  unsigned char ihdr[13] = {0}, actl[8];
  tl__buf head = {0};
  int rc;
  tl__be32(ihdr, (uint32_t)e->w);
  tl__be32(ihdr + 4, (uint32_t)e->h);
  ihdr[8] = 8, ihdr[9] = 2; /* 8-bit RGB */
  tl__be32(actl, (uint32_t)e->nframes);
  tl__be32(actl + 4, 0); /* plays for ever */
  rc = tl__put(&head, sig, 8) || tl__chunk(&head, "IHDR", ihdr, 13) ||
       tl__chunk(&head, "acTL", actl, 8) || tl__chunk(&e->body, "IEND", NULL, 0);
  if (!rc && (fwrite(head.p, 1, head.n, e->f) != head.n ||
              fwrite(e->body.p, 1, e->body.n, e->f) != e->body.n))
    rc = -1;
  free(head.p);
  return rc ? -1 : 0;
}

/* ---- frames ----------------------------------------------------------- */

/* Writes the pending frame as the rectangle where it differs from what
 * shows (the first frame whole). */
static int tl__flush(tl__enc *e) {
  int x0 = e->w, y0 = e->h, x1 = -1, y1 = -1, x, y, rc;
  if (!e->has_pending) return 0;
  if (!e->nframes) {
    x0 = 0, y0 = 0, x1 = e->w - 1, y1 = e->h - 1;
  } else {
    for (y = 0; y < e->h; y++) {
      const unsigned char *a = e->pending + 3 * (size_t)y * e->w, *b = e->shown + 3 * (size_t)y * e->w;
      if (!memcmp(a, b, 3 * (size_t)e->w)) continue;
      if (y < y0) y0 = y;
      y1 = y;
      for (x = 0; x < e->w; x++)
        if (memcmp(a + 3 * x, b + 3 * x, 3)) {
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
        }
    }
    if (x1 < 0) x0 = y0 = x1 = y1 = 0; /* a pause only: one pixel again */
  }
  rc = e->format == TL_ANIM_GIF
           ? tl__gif_frame(e, e->pending, x0, y0, x1 - x0 + 1, y1 - y0 + 1, e->pending_cs)
           : tl__apng_frame(e, e->pending, x0, y0, x1 - x0 + 1, y1 - y0 + 1, e->pending_cs);
  memcpy(e->shown, e->pending, 3 * (size_t)e->w * e->h);
  e->nframes++;
  e->has_pending = 0;
  return rc;
}

static int tl__frame(tl__enc *e, const unsigned char *rgb, unsigned cs) {
  if (e->has_pending && !memcmp(rgb, e->pending, 3 * (size_t)e->w * e->h)) {
    e->pending_cs += cs;
    return 0;
  }
  if (tl__flush(e)) return -1;
  memcpy(e->pending, rgb, 3 * (size_t)e->w * e->h);
  e->pending_cs = cs;
  e->has_pending = 1;
  return 0;
}

/* d painted into rgb (w x h x 3); -1 with the reason in err. */
static int tl__paint(const tl_display *d, float scale, unsigned char *rgb, int w, int h,
                     char *err, size_t errlen) {
  SDL_Surface *s = tl_png_render(d, scale, err, errlen);
  int x, y;
  if (!s) return -1;
  if (s->w != w || s->h != h) {
    snprintf(err, errlen, "a frame of %dx%d in an animation of %dx%d", s->w, s->h, w, h);
    SDL_FreeSurface(s);
    return -1;
  }
  for (y = 0; y < h; y++) {
    const uint32_t *row = (const uint32_t *)((const unsigned char *)s->pixels + (size_t)y * s->pitch);
    for (x = 0; x < w; x++) {
      unsigned char *p = rgb + 3 * ((size_t)y * w + x);
      p[0] = (unsigned char)(row[x] >> 16), p[1] = (unsigned char)(row[x] >> 8);
      p[2] = (unsigned char)row[x];
    }
  }
  SDL_FreeSurface(s);
  return 0;
}

typedef struct tl__job {
  const tl_trace *tr;
  const tl_layout *l;
  const tl_display *still;
  const tl_display_opts *o;
  const tl_anim_opts *ao;
  int format;
} tl__job;

/* The timeline as it stood at time t, held `cs`, with a caption. */
static int tl__grown(tl__enc *e, const tl__job *j, tl_layout *grow, uint64_t t, unsigned cs,
                     const tl_marker *step, unsigned char *rgb, char *err, size_t errlen) {
  tl_display_opts fo = *j->o;
  tl_display *d;
  char label[256];
  int rc;
  if (tl_layout_update_until(grow, j->tr, t) < 0) {
    snprintf(err, errlen, "out of memory laying out a frame");
    return -1;
  }
  fo.t_from = j->still->t_from;
  fo.t_to = j->still->t_to;
  fo.height = j->still->height;
  fo.live_to = t > 0 ? t : 1;
  if (!(d = tl_display_build(grow, &fo))) {
    snprintf(err, errlen, "out of memory drawing a frame");
    return -1;
  }
  if (step)
    tl_display_caption(d, tl_layout_marker_label(j->l, step, label, sizeof label),
                       tl_layout_marker_note(j->l, step));
  rc = tl__paint(d, j->ao->scale, rgb, e->w, e->h, err, errlen);
  tl_display_free(d);
  return rc ? -1 : tl__frame(e, rgb, cs);
}

static int tl__anim_writer(FILE *f, const char *tmp, void *arg, char *err, size_t errlen) {
  const tl__job *j = arg;
  const tl_display *still = j->still;
  double fps = j->ao->fps, span = (double)(still->t_to - still->t_from), hold, grow_s;
  unsigned frame_cs = (unsigned)lround(100.0 / fps), hold_cs;
  tl__enc e;
  tl_layout *grow = tl_layout_new();
  unsigned char *rgb = NULL;
  size_t i, nsteps = 0, si = 0;
  int rc = -1, k, n;
  memset(&e, 0, sizeof e);
  e.format = j->format;
  e.f = f;
  e.w = (int)(still->width * j->ao->scale + 0.5f);
  e.h = (int)(still->height * j->ao->scale + 0.5f);
  for (i = 0; i < j->l->nmarkers; i++)
    if (j->l->markers[i].kind == TL_EV_LESSON_STEP && j->l->markers[i].t >= still->t_from &&
        j->l->markers[i].t <= still->t_to)
      nsteps++;
  /* About `seconds` in all: 2 s on the end, each step held up to 1.5 s,
   * the rest (at least 30%) for the growing. */
  hold = nsteps ? fmin(1.5, 0.4 * j->ao->seconds / (double)nsteps) : 0;
  grow_s = fmax(j->ao->seconds - 2.0 - hold * (double)nsteps, 0.3 * j->ao->seconds);
  n = (int)lround(grow_s * fps);
  if (n < 2) n = 2;
  hold_cs = (unsigned)lround(hold * 100);
  if (!frame_cs) frame_cs = 1;
  if (!grow || !(rgb = malloc(3 * (size_t)e.w * e.h)) ||
      !(e.shown = malloc(3 * (size_t)e.w * e.h)) || !(e.pending = malloc(3 * (size_t)e.w * e.h))) {
    snprintf(err, errlen, "out of memory");
    goto done;
  }
  /* the palette comes from the still picture: paint it first */
  if (tl__paint(still, j->ao->scale, rgb, e.w, e.h, err, errlen)) goto done;
  if (e.format == TL_ANIM_GIF && tl__gif_begin(&e, rgb)) {
    snprintf(err, errlen, "the GIF encoder failed");
    goto done;
  }
  for (k = 1; k < n; k++) {
    uint64_t t = still->t_from + (uint64_t)(span * k / n);
    for (; si < j->l->nmarkers; si++) { /* the steps before this frame, held */
      const tl_marker *m = &j->l->markers[si];
      if (m->kind != TL_EV_LESSON_STEP || m->t < still->t_from) continue;
      if (m->t > t) break;
      if (tl__grown(&e, j, grow, m->t, hold_cs, m, rgb, err, errlen)) goto done;
    }
    if (tl__grown(&e, j, grow, t, frame_cs, NULL, rgb, err, errlen)) goto done;
  }
  for (; si < j->l->nmarkers; si++) {
    const tl_marker *m = &j->l->markers[si];
    if (m->kind == TL_EV_LESSON_STEP && m->t >= still->t_from && m->t <= still->t_to &&
        tl__grown(&e, j, grow, m->t, hold_cs, m, rgb, err, errlen))
      goto done;
  }
  /* the end: the still picture itself, held */
  if (tl__paint(still, j->ao->scale, rgb, e.w, e.h, err, errlen) || tl__frame(&e, rgb, 200) ||
      tl__flush(&e))
    goto done;
  if (e.format == TL_ANIM_GIF) {
    int gerr;
    rc = EGifCloseFile(e.gif, &gerr) == GIF_OK ? 0 : -1;
    e.gif = NULL;
  } else {
    rc = tl__apng_end(&e);
  }
  if (rc) snprintf(err, errlen, "the encoder failed");
done:
  if (e.gif) {
    int gerr;
    EGifCloseFile(e.gif, &gerr);
  }
  GifFreeMapObject(e.map);
  free(e.lut);
  free(e.line);
  free(e.body.p);
  free(e.shown);
  free(e.pending);
  free(rgb);
  tl_layout_free(grow);
  return rc;
}

int tl_anim_write(const tl_trace *tr, const tl_layout *l, const tl_display *still,
                  const tl_display_opts *o, int format, const tl_anim_opts *ao,
                  const char *path, char *err, size_t errlen) {
  tl__job j;
  j.tr = tr;
  j.l = l;
  j.still = still;
  j.o = o;
  j.ao = ao;
  j.format = format;
  return tl_write_file_atomic(path, NULL, tl__anim_writer, &j, err, errlen);
}
