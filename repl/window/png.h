/* PNG pictures without a display: a display list painted by SDL's software
 * renderer on a surface, saved with SDL2_image. */
#ifndef TL_PNG_H
#define TL_PNG_H

#include <stddef.h>

#include <SDL.h>

#include "display.h"

/* Paints d at `scale` (2: twice the pixels, for slides) and writes it to
 * path. 0 on success; -1 with the path and the reason in err, leaving no
 * partial file behind. */
int tl_png_write_display(const tl_display *d, const char *path, float scale, char *err,
                         size_t errlen);
/* d painted at `scale` on a new ARGB8888 surface (the pixels of the PNG
 * above), or NULL with the reason in err. */
SDL_Surface *tl_png_render(const tl_display *d, float scale, char *err, size_t errlen);
/* Saves a surface as an opaque RGB PNG by way of a temporary file renamed
 * into place, with a pHYs chunk saying its density: 1 for 72 dpi, 2 for a
 * picture painted at twice the pixels. */
int tl_png_save_surface_at(SDL_Surface *s, const char *path, float density, char *err,
                           size_t errlen);
/* The same at density 1. */
int tl_png_save_surface(SDL_Surface *s, const char *path, char *err, size_t errlen);

#endif
