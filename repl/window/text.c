/* Fonts and text textures for the SDL painter. See text.h. */
#include "text.h"
#include "utf8.h"

#include <fontconfig/fontconfig.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL_ttf.h>

enum { TL__FACE_REGULAR, TL__FACE_BOLD, TL__FACE_CJK, TL__FACES };

/* The font files, found once; fonts opened per face and pixel size. */
static struct {
  pthread_once_t once;
  pthread_mutex_t mu; /* FreeType (through SDL2_ttf) is not thread-safe */
  int ok;
  char err[256];
  char file[TL__FACES][1024];
  int index[TL__FACES];
  struct tl__font {
    int face, px, bold;
    TTF_Font *f;
  } open[96];
  int nopen;
} tl__fonts = {.once = PTHREAD_ONCE_INIT, .mu = PTHREAD_MUTEX_INITIALIZER};

/* fontconfig's best match for a pattern such as "DejaVu Sans:bold". */
static int tl__match(const char *pattern, char *file, size_t n, int *index) {
  FcPattern *p = FcNameParse((const FcChar8 *)pattern), *m;
  FcResult res;
  FcChar8 *path = NULL;
  int ok = 0;
  if (!p) return 0;
  FcConfigSubstitute(NULL, p, FcMatchPattern);
  FcDefaultSubstitute(p);
  m = FcFontMatch(NULL, p, &res);
  if (m && FcPatternGetString(m, FC_FILE, 0, &path) == FcResultMatch) {
    snprintf(file, n, "%s", (const char *)path);
    if (FcPatternGetInteger(m, FC_INDEX, 0, index) != FcResultMatch) *index = 0;
    ok = 1;
  }
  if (m) FcPatternDestroy(m);
  FcPatternDestroy(p);
  return ok;
}

static void tl__find_fonts(void) {
  if (!FcInit()) {
    snprintf(tl__fonts.err, sizeof tl__fonts.err, "fontconfig could not start");
    return;
  }
  if (!TTF_WasInit() && TTF_Init() != 0) {
    snprintf(tl__fonts.err, sizeof tl__fonts.err, "SDL2_ttf: %s", TTF_GetError());
    return;
  }
  if (!tl__match("DejaVu Sans", tl__fonts.file[0], sizeof tl__fonts.file[0],
                 &tl__fonts.index[0])) {
    snprintf(tl__fonts.err, sizeof tl__fonts.err,
             "no font found through fontconfig (install fonts-dejavu-core)");
    return;
  }
  if (!tl__match("DejaVu Sans:bold", tl__fonts.file[1], sizeof tl__fonts.file[1],
                 &tl__fonts.index[1])) {
    memcpy(tl__fonts.file[1], tl__fonts.file[0], sizeof tl__fonts.file[0]);
    tl__fonts.index[1] = tl__fonts.index[0];
  }
  /* The CJK fallback: asked by name, then by language. */
  if (!tl__match("WenQuanYi Micro Hei", tl__fonts.file[2], sizeof tl__fonts.file[2],
                 &tl__fonts.index[2]) ||
      strcmp(tl__fonts.file[2], tl__fonts.file[0]) == 0)
    if (!tl__match(":lang=zh-cn", tl__fonts.file[2], sizeof tl__fonts.file[2],
                   &tl__fonts.index[2]))
      tl__fonts.file[2][0] = '\0';
  tl__fonts.ok = 1;
}

int tl_text_init(char *err, size_t errlen) {
  pthread_once(&tl__fonts.once, tl__find_fonts);
  if (!tl__fonts.ok && err) snprintf(err, errlen, "%s", tl__fonts.err);
  return tl__fonts.ok ? 0 : -1;
}

void tl_text_shutdown(void) {
  int i;
  pthread_mutex_lock(&tl__fonts.mu);
  for (i = 0; i < tl__fonts.nopen; i++) TTF_CloseFont(tl__fonts.open[i].f);
  tl__fonts.nopen = 0;
  if (tl__fonts.ok) {
    TTF_Quit();
    FcFini();
    tl__fonts.ok = 0;
    snprintf(tl__fonts.err, sizeof tl__fonts.err, "the fonts are closed");
  }
  pthread_mutex_unlock(&tl__fonts.mu);
}

const char *tl_text_font_file(int cjk) {
  if (tl_text_init(NULL, 0) != 0) return "";
  return tl__fonts.file[cjk ? TL__FACE_CJK : TL__FACE_REGULAR];
}

/* The font of a face at px (bold: synthetic for the CJK face); with the
 * mutex held. NULL when it cannot be opened. */
static TTF_Font *tl__font(int face, int px, int bold) {
  int i, best = -1;
  TTF_Font *f;
  for (i = 0; i < tl__fonts.nopen; i++) {
    struct tl__font *o = &tl__fonts.open[i];
    if (o->face == face && o->bold == bold) {
      if (o->px == px) return o->f;
      if (best < 0 || abs(o->px - px) < abs(tl__fonts.open[best].px - px)) best = i;
    }
  }
  if (!tl__fonts.file[face][0]) return NULL;
  if (tl__fonts.nopen == (int)(sizeof tl__fonts.open / sizeof *tl__fonts.open))
    return best >= 0 ? tl__fonts.open[best].f : NULL;
  f = TTF_OpenFontIndex(tl__fonts.file[face], px, tl__fonts.index[face]);
  if (!f) return best >= 0 ? tl__fonts.open[best].f : NULL;
  TTF_SetFontHinting(f, TTF_HINTING_LIGHT);
  if (bold && face == TL__FACE_CJK) TTF_SetFontStyle(f, TTF_STYLE_BOLD);
  tl__fonts.open[tl__fonts.nopen++] = (struct tl__font){face, px, bold, f};
  return f;
}

/* Runs of s that one font draws: calls fn(font, run, len, arg) in order.
 * The Latin font draws what it has; the CJK font the rest it has. */
static void tl__runs(const char *s, int px, int bold,
                     void (*fn)(TTF_Font *, const char *, size_t, void *), void *arg) {
  TTF_Font *lat = tl__font(bold ? TL__FACE_BOLD : TL__FACE_REGULAR, px, 0);
  TTF_Font *cjk = tl__font(TL__FACE_CJK, px, bold);
  const unsigned char *p = (const unsigned char *)s, *start = p;
  TTF_Font *cur = NULL;
  if (!lat) return;
  while (*p) {
    const unsigned char *at = p;
    uint32_t c = tl_utf8_next(&p);
    TTF_Font *f = lat;
    if (c >= 0x80 && cjk && !TTF_GlyphIsProvided32(lat, c) && TTF_GlyphIsProvided32(cjk, c))
      f = cjk;
    if (f != cur) {
      if (cur && at > start) fn(cur, (const char *)start, (size_t)(at - start), arg);
      cur = f;
      start = at;
    }
  }
  if (cur && p > start) fn(cur, (const char *)start, (size_t)(p - start), arg);
}

/* ---- measuring and rendering, with the mutex held ---------------------- */

typedef struct tl__run_acc {
  int w, asc, desc;
  SDL_Surface *dst; /* second pass: where runs are copied */
  int x;
} tl__run_acc;

static void tl__measure_run(TTF_Font *f, const char *s, size_t n, void *arg) {
  tl__run_acc *a = arg;
  char buf[512];
  int w = 0, h = 0;
  size_t k = n < sizeof buf - 1 ? n : sizeof buf - 1;
  memcpy(buf, s, k);
  buf[k] = '\0';
  if (TTF_SizeUTF8(f, buf, &w, &h) == 0) a->w += w;
  if (TTF_FontAscent(f) > a->asc) a->asc = TTF_FontAscent(f);
  if (-TTF_FontDescent(f) > a->desc) a->desc = -TTF_FontDescent(f);
}

static void tl__render_run(TTF_Font *f, const char *s, size_t n, void *arg) {
  tl__run_acc *a = arg;
  static const SDL_Color white = {255, 255, 255, 255};
  char buf[512];
  SDL_Surface *run;
  SDL_Rect to;
  size_t k = n < sizeof buf - 1 ? n : sizeof buf - 1;
  memcpy(buf, s, k);
  buf[k] = '\0';
  run = TTF_RenderUTF8_Blended(f, buf, white);
  if (!run) return;
  to.x = a->x;
  to.y = a->asc - TTF_FontAscent(f);
  to.w = run->w;
  to.h = run->h;
  SDL_SetSurfaceBlendMode(run, SDL_BLENDMODE_NONE); /* runs never overlap */
  SDL_BlitSurface(run, NULL, a->dst, &to);
  a->x += run->w;
  SDL_FreeSurface(run);
}

/* White text on transparent, one surface; NULL for an empty string. */
static SDL_Surface *tl__render(const char *s, int px, int bold, int *asc) {
  tl__run_acc a = {0, 0, 0, NULL, 0};
  tl__runs(s, px, bold, tl__measure_run, &a);
  if (a.w <= 0) return NULL;
  a.dst = SDL_CreateRGBSurfaceWithFormat(0, a.w + 2, a.asc + a.desc + 1, 32,
                                         SDL_PIXELFORMAT_ARGB8888);
  if (!a.dst) return NULL;
  SDL_FillRect(a.dst, NULL, SDL_MapRGBA(a.dst->format, 255, 255, 255, 0));
  tl__runs(s, px, bold, tl__render_run, &a);
  *asc = a.asc;
  return a.dst;
}

/* ---- the per-renderer cache -------------------------------------------- */

#define TL__BUCKETS 1024
#define TL__KEEP_FRAMES 90
#define TL__MAX_ENTRIES 4000

typedef struct tl__entry {
  struct tl__entry *next;
  SDL_Texture *tex;
  int px, bold, w, h, asc;
  unsigned last;
  char s[]; /* the string */
} tl__entry;

struct tl_text {
  SDL_Renderer *r;
  tl__entry *bucket[TL__BUCKETS];
  unsigned frame;
  int n;
};

tl_text *tl_text_new(SDL_Renderer *r) {
  tl_text *tx = calloc(1, sizeof *tx);
  if (tx) tx->r = r;
  tl_text_init(NULL, 0);
  return tx;
}

void tl_text_free(tl_text *tx) {
  int b;
  if (!tx) return;
  for (b = 0; b < TL__BUCKETS; b++)
    while (tx->bucket[b]) {
      tl__entry *e = tx->bucket[b];
      tx->bucket[b] = e->next;
      if (e->tex) SDL_DestroyTexture(e->tex);
      free(e);
    }
  free(tx);
}

static unsigned tl__hash(const char *s, int px, int bold) {
  unsigned h = 2166136261u ^ (unsigned)px * 31u ^ (unsigned)bold;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h % TL__BUCKETS;
}

static tl__entry *tl__get(tl_text *tx, const char *s, int px, int bold) {
  unsigned b = tl__hash(s, px, bold);
  tl__entry *e;
  SDL_Surface *surf;
  size_t len = strlen(s);
  for (e = tx->bucket[b]; e; e = e->next)
    if (e->px == px && e->bold == bold && strcmp(e->s, s) == 0) {
      e->last = tx->frame;
      return e;
    }
  if (!tl__fonts.ok || !(e = calloc(1, sizeof *e + len + 1))) return NULL;
  memcpy(e->s, s, len + 1);
  e->px = px;
  e->bold = bold;
  e->last = tx->frame;
  pthread_mutex_lock(&tl__fonts.mu);
  surf = tl__render(s, px, bold, &e->asc);
  pthread_mutex_unlock(&tl__fonts.mu);
  if (surf) {
    e->w = surf->w;
    e->h = surf->h;
    e->tex = SDL_CreateTextureFromSurface(tx->r, surf);
    if (e->tex) SDL_SetTextureBlendMode(e->tex, SDL_BLENDMODE_BLEND);
    SDL_FreeSurface(surf);
  }
  e->next = tx->bucket[b];
  tx->bucket[b] = e;
  tx->n++;
  return e;
}

void tl_text_draw(tl_text *tx, const char *s, float size, int bold, uint32_t rgba, float x,
                  float y, int anchor) {
  tl__entry *e;
  SDL_Rect to;
  int px = (int)(size + 0.5f);
  if (!tx || !s || !*s || px < 4) return;
  e = tl__get(tx, s, px, bold ? 1 : 0);
  if (!e || !e->tex) return;
  to.w = e->w;
  to.h = e->h;
  to.x = (int)(x - (anchor == 1 ? e->w / 2.0f : anchor == 2 ? (float)e->w : 0) + 0.5f);
  to.y = (int)(y - (float)e->asc + 0.5f);
  SDL_SetTextureColorMod(e->tex, rgba >> 24 & 255, rgba >> 16 & 255, rgba >> 8 & 255);
  SDL_SetTextureAlphaMod(e->tex, rgba & 255);
  SDL_RenderCopy(tx->r, e->tex, NULL, &to);
}

float tl_text_width(tl_text *tx, const char *s, float size, int bold) {
  tl__run_acc a = {0, 0, 0, NULL, 0};
  int px = (int)(size + 0.5f);
  (void)tx;
  if (!s || !*s || !tl__fonts.ok) return 0;
  pthread_mutex_lock(&tl__fonts.mu);
  tl__runs(s, px, bold, tl__measure_run, &a);
  pthread_mutex_unlock(&tl__fonts.mu);
  return (float)a.w;
}

void tl_text_frame_done(tl_text *tx) {
  int b;
  unsigned keep = tx->n > TL__MAX_ENTRIES ? 1 : TL__KEEP_FRAMES;
  tx->frame++;
  if (tx->frame % 30 && tx->n <= TL__MAX_ENTRIES) return;
  for (b = 0; b < TL__BUCKETS; b++) {
    tl__entry **pe = &tx->bucket[b];
    while (*pe) {
      tl__entry *e = *pe;
      if (tx->frame - e->last > keep) {
        *pe = e->next;
        if (e->tex) SDL_DestroyTexture(e->tex);
        free(e);
        tx->n--;
      } else {
        pe = &e->next;
      }
    }
  }
}
