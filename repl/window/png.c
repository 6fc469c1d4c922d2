/* Writing PNG pictures headless. See png.h. */
#include "png.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <SDL_image.h>

#include "atomic_file.h"
#include "sdl_paint.h"
#include "text.h"

/* The CRC of a PNG chunk (ISO 3309, as the PNG spec gives it). */
static uint32_t tl__crc(const unsigned char *p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  size_t i;
  int k;
  for (i = 0; i < n; i++) {
    c ^= p[i];
    for (k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
  }
  return c ^ 0xFFFFFFFFu;
}

static void tl__be32(unsigned char *p, uint32_t v) {
  p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
  p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

/* Rewrites the PNG file at path with a pHYs chunk after its IHDR: the
 * pixels per metre of `density` times 72 dpi, so viewers that honour it
 * (Preview, Keynote, LibreOffice) show a 2x picture at its intended size. */
static int tl__add_phys(const char *path, float density) {
  FILE *f = fopen(path, "rb");
  unsigned char *buf = NULL, chunk[21];
  long n;
  int rc = -1;
  uint32_t ppm = (uint32_t)(density * 72.0f / 0.0254f + 0.5f);
  if (!f) return -1;
  if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 33 && fseek(f, 0, SEEK_SET) == 0 &&
      (buf = malloc((size_t)n)) && fread(buf, 1, (size_t)n, f) == (size_t)n &&
      memcmp(buf + 12, "IHDR", 4) == 0) {
    fclose(f);
    f = NULL;
    tl__be32(chunk, 9);
    memcpy(chunk + 4, "pHYs", 4);
    tl__be32(chunk + 8, ppm);
    tl__be32(chunk + 12, ppm);
    chunk[16] = 1; /* unit: the metre */
    tl__be32(chunk + 17, tl__crc(chunk + 4, 13));
    /* signature 8 + IHDR 4+4+13+4 = 33 bytes, then the new chunk */
    if ((f = fopen(path, "wb")) && fwrite(buf, 1, 33, f) == 33 &&
        fwrite(chunk, 1, sizeof chunk, f) == sizeof chunk &&
        fwrite(buf + 33, 1, (size_t)n - 33, f) == (size_t)n - 33)
      rc = 0;
  }
  if (f && fclose(f) != 0) rc = -1;
  free(buf);
  return rc;
}

typedef struct tl__png_job {
  SDL_Surface *s;
  float density;
} tl__png_job;

/* SDL_image writes by name (and its messages lack the reason, which the
 * temporary file, opened first, gives). Without an alpha channel the
 * picture is opaque whatever was blended into it. */
static int tl__png_writer(FILE *f, const char *tmp, void *arg, char *err, size_t errlen) {
  tl__png_job *job = arg;
  SDL_Surface *rgb = SDL_ConvertSurfaceFormat(job->s, SDL_PIXELFORMAT_RGB24, 0);
  int rc = -1;
  if (!rgb)
    snprintf(err, errlen, "%s", SDL_GetError());
  else if (IMG_SavePNG(rgb, tmp) != 0)
    snprintf(err, errlen, "%s", IMG_GetError());
  else if (tl__add_phys(tmp, job->density) != 0)
    snprintf(err, errlen, "%s", strerror(errno ? errno : EIO));
  else
    rc = 0;
  SDL_FreeSurface(rgb);
  return rc;
}

int tl_png_save_surface_at(SDL_Surface *s, const char *path, float density, char *err,
                           size_t errlen) {
  tl__png_job job;
  job.s = s;
  job.density = density;
  return tl_write_file_atomic(path, ".png", tl__png_writer, &job, err, errlen);
}

int tl_png_save_surface(SDL_Surface *s, const char *path, char *err, size_t errlen) {
  return tl_png_save_surface_at(s, path, 1, err, errlen);
}

SDL_Surface *tl_png_render(const tl_display *d, float scale, char *err, size_t errlen) {
  int w = (int)(d->width * scale + 0.5f), h = (int)(d->height * scale + 0.5f);
  SDL_Surface *s;
  SDL_Renderer *r;
  tl_canvas *c;
  char why[256];
  if (tl_text_init(why, sizeof why) != 0) {
    snprintf(err, errlen, "%s", why);
    return NULL;
  }
  if (w < 1 || h < 1 || w > 16384 || h > 16384) {
    snprintf(err, errlen, "a %dx%d picture is too large", w, h);
    return NULL;
  }
  s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
  if (!s) {
    snprintf(err, errlen, "%s", SDL_GetError());
    return NULL;
  }
  r = SDL_CreateSoftwareRenderer(s);
  c = r ? tl_canvas_new(r) : NULL;
  if (!r || !c) {
    snprintf(err, errlen, "%s", r ? "out of memory" : SDL_GetError());
    SDL_FreeSurface(s);
    s = NULL;
  } else {
    SDL_SetRenderDrawColor(r, d->background >> 24 & 255, d->background >> 16 & 255,
                           d->background >> 8 & 255, 255);
    SDL_RenderClear(r);
    tl_sdl_paint(c, d, 0, 0, scale);
    SDL_RenderPresent(r);
  }
  tl_canvas_free(c);
  if (r) SDL_DestroyRenderer(r);
  return s;
}

int tl_png_write_display(const tl_display *d, const char *path, float scale, char *err,
                         size_t errlen) {
  char why[256];
  SDL_Surface *s = tl_png_render(d, scale, why, sizeof why);
  int rc;
  if (!s) {
    snprintf(err, errlen, "%s: %s", path, why);
    return -1;
  }
  rc = tl_png_save_surface_at(s, path, scale, err, errlen);
  SDL_FreeSurface(s);
  return rc;
}
