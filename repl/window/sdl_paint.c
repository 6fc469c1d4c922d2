/* Painting a display list with SDL. See sdl_paint.h.
 *
 * SDL draws no antialiased lines, so lines and shapes are triangles whose
 * outermost half pixel fades to transparent (colours interpolate across a
 * triangle): smooth edges on the GPU and on the software renderer alike. */
#include "sdl_paint.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static SDL_Color tl__colour(uint32_t rgba, float alpha) {
  SDL_Color c;
  c.r = (Uint8)(rgba >> 24);
  c.g = (Uint8)(rgba >> 16);
  c.b = (Uint8)(rgba >> 8);
  c.a = (Uint8)((float)(rgba & 255) * alpha + 0.5f);
  return c;
}

static SDL_Vertex tl__v(float x, float y, SDL_Color c) {
  SDL_Vertex v;
  v.position.x = x;
  v.position.y = y;
  v.color = c;
  v.tex_coord.x = v.tex_coord.y = 0;
  return v;
}

void tl_sdl_fill_rect(SDL_Renderer *r, float x0, float y0, float x1, float y1, uint32_t rgba) {
  SDL_FRect f;
  if (!(rgba & 255) || x1 <= x0 || y1 <= y0) return;
  f.x = x0;
  f.y = y0;
  f.w = x1 - x0;
  f.h = y1 - y0;
  /* opaque: a plain fill, much faster than a blended one in software */
  SDL_SetRenderDrawBlendMode(r, (rgba & 255) == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
  SDL_SetRenderDrawColor(r, rgba >> 24 & 255, rgba >> 16 & 255, rgba >> 8 & 255, rgba & 255);
  SDL_RenderFillRectF(r, &f);
  SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
}

/* Vertical and horizontal lines are rectangles: crisp, and cheap. */
static int tl__straight(SDL_Renderer *r, float x0, float y0, float x1, float y1, float width,
                        uint32_t rgba) {
  float h = width / 2;
  if (x0 == x1) {
    if (y1 < y0) { float t = y0; y0 = y1; y1 = t; }
    tl_sdl_fill_rect(r, x0 - h, y0, x0 + h, y1, rgba);
    return 1;
  }
  if (y0 == y1) {
    if (x1 < x0) { float t = x0; x0 = x1; x1 = t; }
    tl_sdl_fill_rect(r, x0, y0 - h, x1, y0 + h, rgba);
    return 1;
  }
  return 0;
}

void tl_sdl_line(SDL_Renderer *r, float x0, float y0, float x1, float y1, float width,
                 uint32_t rgba) {
  float dx = x1 - x0, dy = y1 - y0, len = sqrtf(dx * dx + dy * dy), nx, ny, core, outer;
  float alpha = 1;
  SDL_Vertex v[8];
  static const int idx[18] = {0, 1, 5, 0, 5, 4, 1, 2, 6, 1, 6, 5, 2, 3, 7, 2, 7, 6};
  SDL_Color in, out;
  int i;
  if (len < 1e-4f || !(rgba & 255)) return;
  if (width >= 0.9f && tl__straight(r, x0, y0, x1, y1, width, rgba)) return;
  nx = -dy / len;
  ny = dx / len;
  core = width / 2 - 0.5f;
  if (core < 0) {
    alpha = width < 0.3f ? 0.3f : width; /* a hairline: fainter, not thinner */
    core = 0;
  }
  outer = core + 1.0f;
  in = tl__colour(rgba, alpha);
  out = in;
  out.a = 0;
  {
    const float off[4] = {-outer, -core, core, outer};
    for (i = 0; i < 4; i++) {
      SDL_Color c = (i == 0 || i == 3) ? out : in;
      v[i] = tl__v(x0 + nx * off[i], y0 + ny * off[i], c);
      v[i + 4] = tl__v(x1 + nx * off[i], y1 + ny * off[i], c);
    }
  }
  /* The software rasteriser walks each triangle's bounding box: a long
   * slanted line goes in short pieces, whose boxes are small. */
  if (len > 24 && fabsf(dx) > 4 && fabsf(dy) > 4) {
    int pieces = (int)(len / 12) + 1, k;
    for (k = 0; k < pieces; k++) {
      float a = (float)k / (float)pieces, b = (float)(k + 1) / (float)pieces;
      SDL_Vertex q[8];
      for (i = 0; i < 4; i++) {
        q[i] = v[i];
        q[i + 4] = v[i];
        q[i].position.x = v[i].position.x + (v[i + 4].position.x - v[i].position.x) * a;
        q[i].position.y = v[i].position.y + (v[i + 4].position.y - v[i].position.y) * a;
        q[i + 4].position.x = v[i].position.x + (v[i + 4].position.x - v[i].position.x) * b;
        q[i + 4].position.y = v[i].position.y + (v[i + 4].position.y - v[i].position.y) * b;
      }
      SDL_RenderGeometry(r, NULL, q, 8, idx, 18);
    }
    return;
  }
  SDL_RenderGeometry(r, NULL, v, 8, idx, 18);
}

/* A convex polygon (up to 64 points) with a feathered rim. */
static void tl__poly(SDL_Renderer *r, const SDL_FPoint *p, int n, uint32_t rgba) {
  SDL_Vertex v[1 + 2 * 64];
  int idx[3 * 64 + 6 * 64], ni = 0, i;
  float cx = 0, cy = 0, area = 0, sign;
  SDL_Color in = tl__colour(rgba, 1), out = in;
  if (n < 3 || n > 64 || !(rgba & 255)) return;
  out.a = 0;
  for (i = 0; i < n; i++) {
    const SDL_FPoint *a = &p[i], *b = &p[(i + 1) % n];
    cx += a->x;
    cy += a->y;
    area += a->x * b->y - b->x * a->y;
  }
  cx /= (float)n;
  cy /= (float)n;
  sign = area >= 0 ? 1.0f : -1.0f;
  v[0] = tl__v(cx, cy, in);
  for (i = 0; i < n; i++) {
    const SDL_FPoint *a = &p[(i + n - 1) % n], *b = &p[i], *c = &p[(i + 1) % n];
    float e1x = b->x - a->x, e1y = b->y - a->y, e2x = c->x - b->x, e2y = c->y - b->y;
    float l1 = sqrtf(e1x * e1x + e1y * e1y), l2 = sqrtf(e2x * e2x + e2y * e2y);
    float n1x, n1y, n2x, n2y, ox, oy, d;
    if (l1 < 1e-6f) l1 = 1e-6f;
    if (l2 < 1e-6f) l2 = 1e-6f;
    /* outward normals of the two edges at this corner */
    n1x = sign * e1y / l1; n1y = -sign * e1x / l1;
    n2x = sign * e2y / l2; n2y = -sign * e2x / l2;
    d = 1 + n1x * n2x + n1y * n2y;
    if (d < 0.2f) d = 0.2f;
    ox = (n1x + n2x) / d * 0.5f;
    oy = (n1y + n2y) / d * 0.5f;
    v[1 + i] = tl__v(b->x - ox, b->y - oy, in);
    v[1 + n + i] = tl__v(b->x + ox, b->y + oy, out);
  }
  for (i = 0; i < n; i++) {
    int a = 1 + i, b = 1 + (i + 1) % n;
    idx[ni++] = 0; idx[ni++] = a; idx[ni++] = b;
    idx[ni++] = a; idx[ni++] = a + n; idx[ni++] = b + n;
    idx[ni++] = a; idx[ni++] = b + n; idx[ni++] = b;
  }
  SDL_RenderGeometry(r, NULL, v, 1 + 2 * n, idx, ni);
}

void tl_sdl_circle(SDL_Renderer *r, float cx, float cy, float radius, uint32_t rgba) {
  SDL_FPoint p[48];
  int n = (int)(radius * 3), i;
  if (n < 12) n = 12;
  if (n > 48) n = 48;
  for (i = 0; i < n; i++) {
    float a = 6.2831853f * (float)i / (float)n;
    p[i].x = cx + radius * cosf(a);
    p[i].y = cy + radius * sinf(a);
  }
  tl__poly(r, p, n, rgba);
}

/* The outline of a rounded rectangle, clockwise, 4 points a corner. */
static int tl__round_pts(SDL_FPoint *p, float x0, float y0, float x1, float y1, float rad) {
  static const float c[4] = {1, 0.92388f, 0.70711f, 0.38268f};
  static const float s[4] = {0, 0.38268f, 0.70711f, 0.92388f};
  float mx = (x1 - x0) / 2, my = (y1 - y0) / 2;
  int n = 0, k;
  if (rad > mx) rad = mx;
  if (rad > my) rad = my;
  for (k = 0; k < 4; k++) p[n++] = (SDL_FPoint){x1 - rad + rad * s[k], y0 + rad - rad * c[k]};
  for (k = 0; k < 4; k++) p[n++] = (SDL_FPoint){x1 - rad + rad * c[k], y1 - rad + rad * s[k]};
  for (k = 0; k < 4; k++) p[n++] = (SDL_FPoint){x0 + rad - rad * s[k], y1 - rad + rad * c[k]};
  for (k = 0; k < 4; k++) p[n++] = (SDL_FPoint){x0 + rad - rad * c[k], y0 + rad - rad * s[k]};
  return n;
}

void tl_sdl_round_rect(SDL_Renderer *r, float x0, float y0, float x1, float y1, float radius,
                       uint32_t fill, uint32_t stroke, float stroke_w) {
  SDL_FPoint p[16];
  int n;
  if (x1 - x0 < 0.5f || y1 - y0 < 0.5f) return;
  if (stroke & 255) {
    n = tl__round_pts(p, x0, y0, x1, y1, radius);
    tl__poly(r, p, n, stroke);
    x0 += stroke_w; y0 += stroke_w; x1 -= stroke_w; y1 -= stroke_w;
    radius = radius > stroke_w ? radius - stroke_w : 0;
    if (!(fill & 255)) return; /* outline only: not worth a ring here */
  }
  if (radius < 0.5f) {
    tl_sdl_fill_rect(r, x0, y0, x1, y1, fill);
    return;
  }
  n = tl__round_pts(p, x0, y0, x1, y1, radius);
  tl__poly(r, p, n, fill);
}

void tl_sdl_arrow(SDL_Renderer *r, float x0, float y0, float x1, float y1, float width,
                  uint32_t rgba) {
  float dx = x1 - x0, dy = y1 - y0, len = sqrtf(dx * dx + dy * dy), head, ux, uy, bx, by;
  SDL_FPoint p[3];
  if (len < 1e-3f) return;
  head = 5 + 2 * width;
  ux = dx / len;
  uy = dy / len;
  if (head > len * 0.6f) head = len * 0.6f;
  bx = x1 - ux * head;
  by = y1 - uy * head;
  tl_sdl_line(r, x0, y0, bx + ux * 0.5f, by + uy * 0.5f, width, rgba);
  p[0] = (SDL_FPoint){x1, y1};
  p[1] = (SDL_FPoint){bx - uy * head * 0.45f, by + ux * head * 0.45f};
  p[2] = (SDL_FPoint){bx + uy * head * 0.45f, by - ux * head * 0.45f};
  tl__poly(r, p, 3, rgba);
}

/* ---- display items ----------------------------------------------------- */

static void tl__dashed(SDL_Renderer *r, float x0, float y0, float x1, float y1, float w,
                       uint32_t rgba, int dash, float scale) {
  float dx = x1 - x0, dy = y1 - y0, len = sqrtf(dx * dx + dy * dy), on, off, at;
  if (dash == TL_DASH_SOLID || len < 1) {
    tl_sdl_line(r, x0, y0, x1, y1, w, rgba);
    return;
  }
  on = (dash == TL_DASH_DASHED ? 5.0f : 1.5f) * scale;
  off = (dash == TL_DASH_DASHED ? 3.0f : 2.5f) * scale;
  for (at = 0; at < len; at += on + off) {
    float e = at + on > len ? len : at + on;
    tl_sdl_line(r, x0 + dx * at / len, y0 + dy * at / len, x0 + dx * e / len,
                y0 + dy * e / len, w, rgba);
  }
}

static void tl__glyph_shape(SDL_Renderer *r, const tl_dl_item *it, float x, float y, float rad,
                            uint32_t fill, float grow) {
  SDL_FPoint p[4];
  rad += grow;
  switch (it->shape) {
    case TL_SHAPE_CIRCLE:
      tl_sdl_circle(r, x, y, rad, fill);
      return;
    case TL_SHAPE_DIAMOND:
      p[0] = (SDL_FPoint){x, y - rad * 1.2f}; p[1] = (SDL_FPoint){x + rad, y};
      p[2] = (SDL_FPoint){x, y + rad * 1.2f}; p[3] = (SDL_FPoint){x - rad, y};
      tl__poly(r, p, 4, fill);
      return;
    case TL_SHAPE_TRIANGLE_DOWN:
      p[0] = (SDL_FPoint){x - rad * 1.1f, y - rad}; p[1] = (SDL_FPoint){x + rad * 1.1f, y - rad};
      p[2] = (SDL_FPoint){x, y + rad};
      tl__poly(r, p, 3, fill);
      return;
    default:
      p[0] = (SDL_FPoint){x - rad, y - rad}; p[1] = (SDL_FPoint){x + rad, y - rad};
      p[2] = (SDL_FPoint){x + rad, y + rad}; p[3] = (SDL_FPoint){x - rad, y + rad};
      tl__poly(r, p, 4, fill);
  }
}

/* ---- marker shapes as sprites ------------------------------------------ */

#define TL__MAX_SPRITES 64

struct tl__sprite {
  uint8_t shape;
  int rad4;             /* radius * 4 */
  uint32_t fill, stroke;
  SDL_Texture *tex;
  int size;             /* the texture is size x size, centred on the shape */
};

tl_canvas *tl_canvas_new(SDL_Renderer *r) {
  tl_canvas *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->r = r;
  c->sprites = calloc(TL__MAX_SPRITES, sizeof *c->sprites);
  if (!c->sprites || !(c->tx = tl_text_new(r))) {
    free(c->sprites);
    free(c);
    return NULL;
  }
  return c;
}

void tl_canvas_free(tl_canvas *c) {
  int i;
  if (!c) return;
  for (i = 0; i < c->nsprites; i++)
    if (c->sprites[i].tex) SDL_DestroyTexture(c->sprites[i].tex);
  free(c->sprites);
  tl_text_free(c->tx);
  free(c);
}

void tl_canvas_frame_done(tl_canvas *c) { tl_text_frame_done(c->tx); }

static void tl__glyph_shape(SDL_Renderer *r, const tl_dl_item *it, float x, float y, float rad,
                            uint32_t fill, float grow);

/* The shape drawn once, antialiased, on a small surface of its own. */
static SDL_Texture *tl__sprite_make(tl_canvas *c, const tl_dl_item *it, float rad, int *size) {
  int n = (int)ceilf(rad * 2.6f + 6);
  SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, n, n, 32, SDL_PIXELFORMAT_ARGB8888);
  SDL_Renderer *sr = s ? SDL_CreateSoftwareRenderer(s) : NULL;
  SDL_Texture *tex = NULL;
  uint32_t edge = it->stroke & 255 ? it->stroke : it->fill;
  if (sr) {
    /* transparent, in the edge's colour, so blended edges keep their hue */
    SDL_FillRect(s, NULL, SDL_MapRGBA(s->format, edge >> 24, edge >> 16 & 255, edge >> 8 & 255, 0));
    SDL_SetRenderDrawBlendMode(sr, SDL_BLENDMODE_BLEND);
    if (it->stroke & 255) tl__glyph_shape(sr, it, n / 2.0f, n / 2.0f, rad, it->stroke, 1);
    tl__glyph_shape(sr, it, n / 2.0f, n / 2.0f, rad, it->fill, 0);
    SDL_RenderPresent(sr);
    tex = SDL_CreateTextureFromSurface(c->r, s);
    if (tex) SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_BLEND);
    SDL_DestroyRenderer(sr);
  }
  SDL_FreeSurface(s);
  *size = n;
  return tex;
}

/* Draws a marker shape centred at (x, y), from the sprite cache. */
static void tl__glyph(tl_canvas *c, const tl_dl_item *it, float x, float y, float rad) {
  int rad4 = (int)(rad * 4 + 0.5f), i;
  struct tl__sprite *sp = NULL;
  SDL_FRect to;
  for (i = 0; i < c->nsprites; i++) {
    struct tl__sprite *q = &c->sprites[i];
    if (q->shape == it->shape && q->rad4 == rad4 && q->fill == it->fill && q->stroke == it->stroke) {
      sp = q;
      break;
    }
  }
  if (!sp) {
    if (c->nsprites == TL__MAX_SPRITES) { /* rare: many colours; draw directly */
      if (it->stroke & 255) tl__glyph_shape(c->r, it, x, y, rad, it->stroke, 1);
      tl__glyph_shape(c->r, it, x, y, rad, it->fill, 0);
      return;
    }
    sp = &c->sprites[c->nsprites++];
    sp->shape = it->shape;
    sp->rad4 = rad4;
    sp->fill = it->fill;
    sp->stroke = it->stroke;
    sp->tex = tl__sprite_make(c, it, rad4 / 4.0f, &sp->size);
  }
  if (!sp->tex) return;
  to.x = x - sp->size / 2.0f;
  to.y = y - sp->size / 2.0f;
  to.w = to.h = (float)sp->size;
  SDL_RenderCopyF(c->r, sp->tex, NULL, &to);
}

static void tl__paint_item(tl_canvas *c, const tl_display *d, const tl_dl_item *it, float ox,
                     float oy, float s) {
  SDL_Renderer *r = c->r;
  float x0 = ox + it->x0 * s, y0 = oy + it->y0 * s, x1 = ox + it->x1 * s, y1 = oy + it->y1 * s;
  switch (it->kind) {
    case TL_DL_RECT:
      if (it->size > 0 || (it->stroke & 255))
        tl_sdl_round_rect(r, x0, y0, x1, y1, it->size * s, it->fill, it->stroke, s);
      else
        tl_sdl_fill_rect(r, x0, y0, x1 - x0 < 1 ? x0 + 1 : x1, y1, it->fill);
      break;
    case TL_DL_LINE:
      tl__dashed(r, x0, y0, x1, y1, it->size * s, it->stroke, it->dash, s);
      break;
    case TL_DL_ARROW: {
      float dx = x1 - x0, dy = y1 - y0, len = sqrtf(dx * dx + dy * dy);
      float head = (5 + 2 * it->size) * s;
      if (len < 1e-3f) break;
      if (head > len * 0.6f) head = len * 0.6f;
      if (it->count > 1) {
        /* a merged comb of many: a plain line is as good, and far cheaper */
        uint32_t k = it->stroke;
        SDL_SetRenderDrawColor(r, k >> 24 & 255, k >> 16 & 255, k >> 8 & 255, k & 255);
        SDL_RenderDrawLineF(r, x0, y0, x1 - dx / len * head, y1 - dy / len * head);
        tl_sdl_arrow(r, x1 - dx / len * head * 1.01f, y1 - dy / len * head * 1.01f, x1, y1,
                     it->size * s, it->stroke);
      } else if (it->dash != TL_DASH_SOLID) {
        tl__dashed(r, x0, y0, x1 - dx / len * head, y1 - dy / len * head, it->size * s,
                   it->stroke, it->dash, s);
        tl_sdl_arrow(r, x1 - dx / len * head * 1.01f, y1 - dy / len * head * 1.01f, x1, y1,
                     it->size * s, it->stroke);
      } else {
        tl_sdl_arrow(r, x0, y0, x1, y1, it->size * s, it->stroke);
      }
      break;
    }
    case TL_DL_TEXT:
      if (it->text)
        tl_text_draw(c->tx, tl_display_str(d, it->text), it->size * s, it->bold, it->fill, x0, y0,
                     it->anchor);
      break;
    case TL_DL_GLYPH:
      if (it->shape == TL_SHAPE_CROSS) {
        float rad = it->size * s;
        tl_sdl_line(r, x0 - rad, y0 - rad, x0 + rad, y0 + rad, 2 * s, it->stroke);
        tl_sdl_line(r, x0 - rad, y0 + rad, x0 + rad, y0 - rad, 2 * s, it->stroke);
        break;
      }
      tl__glyph(c, it, x0, y0, it->size * s);
      break;
    default:
      break;
  }
}

void tl_sdl_paint(tl_canvas *c, const tl_display *d, float ox, float oy, float scale) {
  size_t i;
  SDL_SetRenderDrawBlendMode(c->r, SDL_BLENDMODE_BLEND);
  for (i = 0; i < d->n; i++) tl__paint_item(c, d, &d->items[i], ox, oy, scale);
}
