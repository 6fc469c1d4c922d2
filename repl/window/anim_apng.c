/* Animated PNG: the frames compressed by libpng (its IDAT data), wrapped
 * in the three chunks APNG adds (acTL, fcTL, fdAT); Debian's libpng has no
 * APNG API. See anim_enc.h. */
#include "anim_enc.h"

#include <stdlib.h>
#include <string.h>

#include <libpng16/png.h> /* not repl/window/png.h */
#include <zlib.h>

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

int tl__apng_frame(tl__enc *e, const unsigned char *rgb, int x0, int y0, int w, int h,
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

int tl__apng_end(tl__enc *e) {
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
