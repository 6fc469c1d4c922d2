/* Writing a recording as one HTML page. See html.h. */
#include "html.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "embed.h"
#include "html_private.h"
#include "svg.h"

/* The page's script and style live in files of their own (readable, and
 * checked by a browser in `make check-browser`), built into the binary. */
TL_EMBED(tl__html_js, "repl/timeline/html.js");
TL_EMBED(tl__html_css, "repl/timeline/html.css");


/* A lesson's texts as the trace has them: in the language it played, and
 * in English and Chinese where the lesson gave both (its LANG parts). */
typedef struct tl__texts {
  char *played, *lang[2];
} tl__texts;

typedef struct tl__step {
  uint64_t t;
  tl__texts title, note; /* the step's title; what was said before it */
} tl__step;

typedef struct tl__lesson {
  tl__texts title;
  tl__step *steps;
  size_t n;
  tl__texts says;        /* said since the last step */
  int bilingual, zh;     /* LANG parts seen; it played in Chinese */
} tl__lesson;

/* Appends s (dedented, as the lesson prints it: the common indent of its
 * lines taken off) to *to, after a newline if *to has text. */
static int tl__append(char **to, const char *s, int dedent) {
  size_t a = *to ? strlen(*to) : 0, b = strlen(s), cut = (size_t)-1, i, o;
  const char *p;
  char *r;
  while (dedent && *s == '\n') s++, b--;
  while (dedent && b && (s[b - 1] == '\n' || s[b - 1] == ' ')) b--;
  for (p = s; dedent && p < s + b;) {
    size_t sp = strspn(p, " ");
    const char *nl = memchr(p, '\n', (size_t)(s + b - p));
    if (p + sp < s + b && p[sp] != '\n' && sp < cut) cut = sp;
    p = nl ? nl + 1 : s + b;
  }
  if (cut == (size_t)-1) cut = 0;
  if (!(r = realloc(*to, a + b + 2))) return -1;
  if (a) r[a++] = '\n';
  for (i = 0, o = a; i < b;) { /* each line less its first cut spaces */
    size_t k = 0;
    while (k < cut && i < b && s[i] == ' ') k++, i++;
    while (i < b && s[i] != '\n') r[o++] = s[i++];
    if (i < b) r[o++] = s[i++];
  }
  r[o] = '\0';
  *to = r;
  return 0;
}

static void tl__texts_free(tl__texts *x) {
  free(x->played);
  free(x->lang[0]);
  free(x->lang[1]);
  memset(x, 0, sizeof *x);
}

static void tl__lesson_free(tl__lesson *ls) {
  size_t i;
  for (i = 0; i < ls->n; i++) {
    tl__texts_free(&ls->steps[i].title);
    tl__texts_free(&ls->steps[i].note);
  }
  free(ls->steps);
  tl__texts_free(&ls->title);
  tl__texts_free(&ls->says);
}

/* Reads the lesson's title, steps and narration from the trace. */
static int tl__lesson_read(const tl_trace *tr, tl__lesson *ls) {
  tl_trace_reader r;
  tl_event e;
  tl__texts *last = NULL;
  memset(ls, 0, sizeof *ls);
  if (!tr) return 0;
  tl_trace_reader_init(&r, tr);
  while (tl_trace_read(tr, &r, &e) == 1) {
    const char *text = tl_trace_strat(tr, e.arg);
    int dedent = last == &ls->says;
    if (e.kind != TL_EV_LESSON_STEP) continue;
    switch (e.reason) {
      case TL_LESSON_TITLE:
        tl__texts_free(&ls->title);
        last = &ls->title;
        if (tl__append(&last->played, text, 0)) return -1;
        break;
      case TL_LESSON_SAY:
        last = &ls->says;
        if (tl__append(&last->played, text, 0)) return -1;
        break;
      case TL_LESSON_STEP: {
        tl__step *st = realloc(ls->steps, (ls->n + 1) * sizeof *st);
        if (!st) return -1;
        ls->steps = st;
        st += ls->n++;
        memset(st, 0, sizeof *st);
        st->t = e.t;
        st->note = ls->says;
        memset(&ls->says, 0, sizeof ls->says);
        last = &st->title;
        if (tl__append(&last->played, text, 0)) return -1;
        break;
      }
      case TL_LESSON_LANG:
        if (!last || e.obj > 1 || tl__append(&last->lang[e.obj], text, dedent)) break;
        ls->bilingual = 1;
        if (e.obj == 1 && last->played && last->lang[1] && last == &ls->title &&
            strncmp(last->played, last->lang[1], strlen(last->lang[1])) == 0)
          ls->zh = 1;
        break;
      default:
        last = NULL;
    }
  }
  return 0;
}

/* A text in both languages (the one not playing hidden), or as played. */
static void tl__text(FILE *f, const tl__lesson *ls, const tl__texts *x, const char *tag,
                     const char *cls) {
  int k;
  if (!x->lang[0] || !x->lang[1]) {
    fprintf(f, "<%s%s>", tag, cls);
    tl_svg_escape(f, x->played ? x->played : "");
    fprintf(f, "</%s>", tag);
    return;
  }
  for (k = 0; k < 2; k++) {
    fprintf(f, "<%s%s lang=\"%s\"%s>", tag, cls, k ? "zh" : "en",
            k != ls->zh ? " hidden" : "");
    tl_svg_escape(f, x->lang[k]);
    fprintf(f, "</%s>", tag);
  }
}

/* The steps drawn in the window, each with the narration that led to it,
 * as a list the script turns into jumps. */
static void tl__steps(FILE *f, const tl__lesson *ls, const tl_display *d) {
  size_t i, n = 0;
  for (i = 0; i < ls->n; i++) {
    const tl__step *st = &ls->steps[i];
    if (st->t < d->t_from || st->t > d->t_to) continue;
    if (!n++) {
      fputs("<h2>Steps · 步骤</h2>\n", f);
      if (ls->bilingual)
        fputs("<div class=\"bar\"><button data-lang=\"en\">English</button>"
              "<button data-lang=\"zh\">中文</button></div>\n", f);
      fputs("<ol id=\"steps\">\n", f);
    }
    fprintf(f, "<li data-x0=\"%.1f\" data-x1=\"%.1f\">", tl_display_x_of(d, st->t),
            i + 1 < ls->n && ls->steps[i + 1].t < d->t_to ? tl_display_x_of(d, ls->steps[i + 1].t)
                                                          : d->plot_x1);
    tl__text(f, ls, &st->title, "b", "");
    if (st->note.played) tl__text(f, ls, &st->note, "div", " class=\"note\"");
    fputs("</li>\n", f);
  }
  if (n) fputs("</ol>\n<div id=\"narr\"></div>\n", f);
  else fputs("<p>This run has no lesson steps.</p>\n", f);
}

typedef struct tl__page {
  const tl_layout *l;
  const tl_display *d;
  const tl__lesson *ls;
  const tl_html_level *lv;
  int nlv;
  const char *why;        /* why there is no finer level */
} tl__page;

/* What the levels keep, in a sentence, so deep zoom is not taken for the
 * events themselves. */
static void tl__detail(FILE *f, const tl__page *p) {
  const tl_html_level *last = &p->lv[p->nlv - 1];
  char px[32];
  if (!p->lv[0].merged) return;
  tl_format_ns(px, sizeof px, last->ns_px);
  fputs(" · <span id=\"lod\">", f);
  if (p->nlv > 1) fprintf(f, "zoom keeps %d pictures, 1× to %d× (%s a pixel): ", p->nlv, last->f, px);
  if (!last->merged)
    fputs("at the finest, every state, arrow and mark is drawn as itself", f);
  else
    fprintf(f, "at the finest, %llu states, arrows or marks too close to tell apart "
               "are drawn as %zu summaries (zooming in enlarges a summary, not what it "
               "stands for; hover one)", last->merged, last->summaries);
  if (!strcmp(p->why, "budget")) fputs("; finer pictures would make the page too large", f);
  fputs("</span>", f);
}

static int tl__html_writer(FILE *f, const char *tmp, void *arg, char *err, size_t errlen) {
  const tl__page *p = arg;
  const tl__lesson *ls = p->ls;
  const char *title = ls->title.played ? ls->title.played : "", *nl = strchr(title, '\n');
  char from[32], to[32];
  int k;
  fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
        f);
  if (*title) fprintf(f, "%.*s · ", nl ? (int)(nl - title) : (int)strlen(title), title);
  fputs("threadlab recording</title>\n<style>\n", f);
  fwrite(tl__html_css, 1, (size_t)(tl__html_css_end - tl__html_css), f);
  fputs("</style>\n</head>\n<body>\n<header><h1>", f);
  if (*title) tl__text(f, ls, &ls->title, "span", "");
  else fputs("threadlab recording", f);
  tl_format_ns(from, sizeof from, (double)p->d->t_from);
  tl_format_ns(to, sizeof to, (double)p->d->t_to);
  fprintf(f, "</h1><p>%s to %s · %llu events", from, to, (unsigned long long)p->l->consumed);
  tl__detail(f, p);
  fputs("</p></header>\n<div id=\"main\">\n<div id=\"view\">\n", f);
  for (k = 0; k < p->nlv; k++) {
    const tl_html_level *lv = &p->lv[k];
    fprintf(f, "<div class=\"lv\" data-f=\"%d\" data-px0=\"%.2f\" data-px1=\"%.2f\" "
               "data-ly=\"%.1f\" data-ns-px=\"%.0f\"%s>\n", lv->f, lv->px0, lv->px1,
            lv->lane_y, lv->ns_px, k ? " hidden" : "");
    fwrite(lv->svg, 1, lv->n, f);
    fputs("</div>\n", f);
  }
  fputs("</div>\n<aside id=\"side\">\n", f);
  tl__steps(f, ls, p->d);
  fputs("</aside>\n</div>\n<p id=\"help\">Wheel: zoom at the pointer · drag: pan · "
        "double-click: the whole run · click a lane: what it touches (again: all) · "
        "hover: details · a step: jump to it and read its narration</p>\n"
        "<div id=\"tip\" hidden></div>\n<script>\n",
        f);
  fwrite(tl__html_js, 1, (size_t)(tl__html_js_end - tl__html_js), f);
  fputs("</script>\n</body>\n</html>\n", f);
  return ferror(f) ? -1 : 0;
}

int tl_html_write(const tl_layout *l, const tl_display *d, const tl_display_opts *o,
                  const char *path, char *err, size_t errlen) {
  tl__page p;
  tl__lesson ls;
  tl_html_level lv[TL_HTML_LEVELS];
  int rc = -1, n = -1;
  if (tl__lesson_read(l->trace, &ls) != 0 || (n = tl_html_levels(l, d, o, lv, &p.why)) < 0)
    snprintf(err, errlen, "%s: out of memory", path);
  else {
    p.l = l;
    p.d = d;
    p.ls = &ls;
    p.lv = lv;
    p.nlv = n;
    rc = tl_write_file_atomic(path, NULL, tl__html_writer, &p, err, errlen);
  }
  if (n > 0) tl_html_levels_free(lv, n);
  tl__lesson_free(&ls);
  return rc;
}
