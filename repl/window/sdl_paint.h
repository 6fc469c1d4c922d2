/* The SDL painter: a display list drawn with an SDL_Renderer, the live
 * window's or a software renderer on a surface (PNG, headless screenshots).
 * Lines and marker shapes are antialiased with feathered triangles, so the
 * picture looks the same on either renderer. */
#ifndef TL_SDL_PAINT_H
#define TL_SDL_PAINT_H

#include <SDL.h>

#include "display.h"
#include "text.h"

/* A renderer with what it keeps between frames: text and marker shapes
 * drawn once as textures. One per renderer, used by one thread. */
typedef struct tl_canvas {
  SDL_Renderer *r;
  tl_text *tx;
  struct tl__sprite *sprites; /* marker shapes, a short list */
  int nsprites;
} tl_canvas;

tl_canvas *tl_canvas_new(SDL_Renderer *r);
void tl_canvas_free(tl_canvas *c);
/* Call once per frame: forgets text not drawn for a while. */
void tl_canvas_frame_done(tl_canvas *c);

/* Paints d with its origin at (ox, oy), every length times scale (2 for a
 * crisp PNG on a slide). */
void tl_sdl_paint(tl_canvas *c, const tl_display *d, float ox, float oy, float scale);

/* Shapes for other painters of the window (panels, tooltips). */
void tl_sdl_fill_rect(SDL_Renderer *r, float x0, float y0, float x1, float y1, uint32_t rgba);
void tl_sdl_line(SDL_Renderer *r, float x0, float y0, float x1, float y1, float width,
                 uint32_t rgba);
void tl_sdl_arrow(SDL_Renderer *r, float x0, float y0, float x1, float y1, float width,
                  uint32_t rgba);
void tl_sdl_circle(SDL_Renderer *r, float cx, float cy, float radius, uint32_t rgba);
/* A rectangle with rounded corners, filled, and outlined when stroke has alpha. */
void tl_sdl_round_rect(SDL_Renderer *r, float x0, float y0, float x1, float y1, float radius,
                       uint32_t fill, uint32_t stroke, float stroke_w);

#endif
