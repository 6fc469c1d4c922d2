/* Writing PNG pictures headless. See png.h. */
#include "png.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <SDL_image.h>

#include "atomic_file.h"
#include "sdl_paint.h"
#include "text.h"

/* SDL_image writes by name (and its messages lack the reason, which the
 * temporary file, opened first, gives). */
static int tl__png_writer(FILE *f, const char *tmp, void *s, char *err, size_t errlen) {
  if (IMG_SavePNG(s, tmp) == 0) return 0;
  snprintf(err, errlen, "%s", IMG_GetError());
  return -1;
}

int tl_png_save_surface(SDL_Surface *s, const char *path, char *err, size_t errlen) {
  return tl_write_file_atomic(path, ".png", tl__png_writer, s, err, errlen);
}

int tl_png_write_display(const tl_display *d, const char *path, float scale, char *err,
                         size_t errlen) {
  int w = (int)(d->width * scale + 0.5f), h = (int)(d->height * scale + 0.5f), rc = -1;
  SDL_Surface *s;
  SDL_Renderer *r;
  tl_canvas *c;
  char why[256];
  if (tl_text_init(why, sizeof why) != 0) {
    snprintf(err, errlen, "%s: %s", path, why);
    return -1;
  }
  if (w < 1 || h < 1 || w > 16384 || h > 16384) {
    snprintf(err, errlen, "%s: a %dx%d picture is too large", path, w, h);
    return -1;
  }
  s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
  if (!s) {
    snprintf(err, errlen, "%s: %s", path, SDL_GetError());
    return -1;
  }
  r = SDL_CreateSoftwareRenderer(s);
  c = r ? tl_canvas_new(r) : NULL;
  if (!r || !c) {
    snprintf(err, errlen, "%s: %s", path, r ? "out of memory" : SDL_GetError());
  } else {
    SDL_SetRenderDrawColor(r, d->background >> 24 & 255, d->background >> 16 & 255,
                           d->background >> 8 & 255, 255);
    SDL_RenderClear(r);
    tl_sdl_paint(c, d, 0, 0, scale);
    SDL_RenderPresent(r);
    rc = tl_png_save_surface(s, path, err, errlen);
  }
  tl_canvas_free(c);
  if (r) SDL_DestroyRenderer(r);
  SDL_FreeSurface(s);
  return rc;
}
