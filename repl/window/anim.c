/* Writing animated recordings: which frames, painted how. See anim.h. */
#include "anim.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <SDL.h>

#include "anim_enc.h"
#include "atomic_file.h"
#include "png.h"

int tl__put(tl__buf *b, const void *p, size_t n) {
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

void tl__be32(unsigned char *p, uint32_t v) {
  p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
  p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

/* ---- frames: one that looks like the one before only lengthens it, and
 * each is written as the rectangle that changed ------------------------ */

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
  rc = e.format == TL_ANIM_GIF ? tl__gif_end(&e) : tl__apng_end(&e);
  if (rc) snprintf(err, errlen, "the encoder failed");
done:
  tl__gif_free(&e);
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
