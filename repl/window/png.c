/* Writing PNG pictures headless. See png.h. */
#include "png.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <SDL_image.h>

#include "sdl_paint.h"
#include "text.h"

int tl_png_save_surface(SDL_Surface *s, const char *path, char *err, size_t errlen) {
  size_t n = strlen(path) + 24;
  char *tmp = malloc(n);
  FILE *probe;
  int rc = -1;
  if (!tmp) {
    snprintf(err, errlen, "%s: out of memory", path);
    return -1;
  }
  snprintf(tmp, n, "%s.tmp%ld.png", path, (long)getpid());
  /* SDL_image's messages lack the reason: try the file first. */
  if (!(probe = fopen(tmp, "wb"))) {
    snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
    free(tmp);
    return -1;
  }
  fclose(probe);
  if (IMG_SavePNG(s, tmp) != 0)
    snprintf(err, errlen, "cannot write %s: %s", path, IMG_GetError());
  else if (rename(tmp, path) != 0)
    snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
  else
    rc = 0;
  if (rc) remove(tmp);
  free(tmp);
  return rc;
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
