/* The display list and the SVG painter: a realistic two-worker scenario
 * written as SVG (well-formed, every thread named, renderable), hostile
 * text, unwritable paths, and sub-pixel aggregation of a long GIL battle.
 *
 * Set TL_TEST_OUT=dir to keep the pictures (and PNGs, if rsvg-convert is
 * installed) for looking at them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "display.h"
#include "layout.h"
#include "svg.h"
#include "trace.h"

#include "check.h"

#define US 1000ull /* ns */
#define PID 4242

static tl_trace *tr;
static char outdir[512];
static int keep;

static void ev(double ms, uint32_t tid, unsigned kind, unsigned reason, uint32_t obj,
               uint64_t arg) {
  tl_trace_emit(tr, (uint64_t)(ms * 1000 * US), PID, tid, (uint16_t)kind, (uint16_t)reason,
                obj, arg);
}

static uint64_t str(const char *s) { return tl_trace_str(tr, s, strlen(s)); }

/* GIL from `from` (released with reason) to `to` at `ms`. */
static void handoff(double ms, uint32_t from, uint32_t to, unsigned reason) {
  ev(ms, from, TL_EV_GIL_RELEASE, reason, 0, 0);
  ev(ms + 0.02, to, TL_EV_GIL_ACQUIRE, 0, 0, 0);
}

/* MainThread starts worker-1 and 下载线程-2; they trade the GIL with
 * forced switches; the second blocks on lock A, held by the first while it
 * sleeps, and gets it by handoff; both print and end; main joins. */
static void scenario(void) {
  enum { MAIN = 1, W1 = 2, W2 = 3, LOCK_A = 100 };
  ev(0.0, MAIN, TL_EV_THREAD_NEW, 0, MAIN, str("MainThread"));
  ev(0.0, MAIN, TL_EV_THREAD_START, 0, MAIN, 0);
  ev(0.0, MAIN, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  ev(0.1, MAIN, TL_EV_LOCK_NEW, 0, LOCK_A, str("A"));
  ev(0.5, MAIN, TL_EV_THREAD_NEW, 0, W1, str("worker-1"));
  ev(0.6, W1, TL_EV_THREAD_START, 0, W1, 0);
  ev(0.6, W1, TL_EV_GIL_REQUEST, 0, MAIN, 0);
  handoff(0.6, MAIN, W1, TL_GIL_BLOCKING); /* start() waits for the thread */
  ev(0.7, MAIN, TL_EV_GIL_REQUEST, 0, W1, 0);
  ev(1.0, W1, TL_EV_LOCK_ACQUIRE, 0, LOCK_A, 0);
  ev(5.7, MAIN, TL_EV_GIL_DROP_REQUEST, 0, W1, 0);
  handoff(5.74, W1, MAIN, TL_GIL_FORCED);
  ev(5.76, W1, TL_EV_GIL_REQUEST, 0, MAIN, 0);
  ev(6.0, MAIN, TL_EV_THREAD_NEW, 0, W2, str("下载线程-2"));
  ev(6.1, W2, TL_EV_THREAD_START, 0, W2, 0);
  ev(6.1, W2, TL_EV_GIL_REQUEST, 0, MAIN, 0);
  handoff(6.1, MAIN, W1, TL_GIL_BLOCKING);
  ev(6.2, MAIN, TL_EV_GIL_REQUEST, 0, W1, 0);
  ev(6.3, W1, TL_EV_PRINT, 0, 0, str("worker-1: got A"));
  ev(8.0, W1, TL_EV_SLEEP, 0, 0, 4000 * US);
  handoff(8.0, W1, W2, TL_GIL_BLOCKING);
  ev(8.5, W2, TL_EV_LOCK_REQUEST, 0, LOCK_A, 0);
  handoff(8.5, W2, MAIN, TL_GIL_BLOCKING);
  ev(9.0, MAIN, TL_EV_PRINT, 0, 0, str("main: waiting for workers"));
  ev(9.5, MAIN, TL_EV_JOIN, 0, W1, 0);
  ev(9.5, MAIN, TL_EV_GIL_RELEASE, TL_GIL_BLOCKING, 0, 0);
  ev(12.0, W1, TL_EV_SLEEP_END, 0, 0, 0);
  ev(12.0, W1, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  ev(12.5, W1, TL_EV_LOCK_RELEASE, 0, LOCK_A, 0);
  ev(12.55, W2, TL_EV_LOCK_ACQUIRE, 0, LOCK_A, W1);
  ev(12.55, W2, TL_EV_GIL_REQUEST, 0, W1, 0);
  ev(13.0, W1, TL_EV_MARK, 0, 0, str("phase 2"));
  ev(17.55, W2, TL_EV_GIL_DROP_REQUEST, 0, W1, 0);
  handoff(17.6, W1, W2, TL_GIL_FORCED);
  ev(17.62, W1, TL_EV_GIL_REQUEST, 0, W2, 0);
  ev(18.0, W2, TL_EV_PRINT, 0, 0, str("下载完成: 3 pages <ok> & \"done\""));
  ev(19.0, W2, TL_EV_LOCK_RELEASE, 0, LOCK_A, 0);
  ev(22.62, W1, TL_EV_GIL_DROP_REQUEST, 0, W2, 0);
  handoff(22.65, W2, W1, TL_GIL_FORCED);
  ev(22.67, W2, TL_EV_GIL_REQUEST, 0, W1, 0);
  ev(23.0, W1, TL_EV_PRINT, 0, 0, str("worker-1 done"));
  handoff(23.5, W1, W2, TL_GIL_EXIT);
  ev(23.5, W1, TL_EV_THREAD_END, 0, W1, 0);
  ev(23.52, MAIN, TL_EV_JOIN_END, 0, W1, 0);
  ev(23.53, MAIN, TL_EV_GIL_REQUEST, 0, W2, 0);
  handoff(26.0, W2, MAIN, TL_GIL_EXIT);
  ev(26.0, W2, TL_EV_THREAD_END, 0, W2, 0);
  ev(26.3, MAIN, TL_EV_PRINT, 0, 0, str("all done: counter = 200000"));
  ev(27.0, MAIN, TL_EV_GIL_RELEASE, TL_GIL_EXIT, 0, 0);
  ev(27.0, MAIN, TL_EV_THREAD_END, 0, MAIN, 0);
}

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  char *buf;
  long n;
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = malloc((size_t)n + 1);
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) n = 0;
  if (buf) buf[n] = '\0';
  fclose(f);
  return buf;
}

/* A small XML check that needs no library: tags balance, no stray '<' or
 * '&' in text, attribute values quoted. Good enough to catch an escaping
 * bug; xmllint, when installed, checks it properly as well. */
static int xml_balanced(const char *s) {
  const char *stack[256];
  size_t depth = 0, len;
  while (*s) {
    if (*s == '&') {
      if (strncmp(s, "&amp;", 5) && strncmp(s, "&lt;", 4) && strncmp(s, "&gt;", 4) &&
          strncmp(s, "&quot;", 6) && strncmp(s, "&apos;", 6) && strncmp(s, "&#10;", 5))
        return 0;
      s++;
    } else if (*s != '<') {
      s++;
    } else if (s[1] == '?') {
      if (!(s = strstr(s, "?>"))) return 0;
      s += 2;
    } else if (s[1] == '/') {
      len = strcspn(s + 2, ">");
      if (!depth || strncmp(stack[depth - 1], s + 2, len) || s[2 + len] != '>') return 0;
      depth--;
      s += 3 + len;
    } else {
      const char *name = s + 1, *end;
      int quote = 0;
      for (end = name; *end && (quote || *end != '>'); end++) {
        if (*end == '"') quote = !quote;
        if (*end == '<') return 0;
      }
      if (!*end) return 0;
      if (end[-1] != '/') {
        if (depth == 256) return 0;
        stack[depth++] = name;
      }
      s = end + 1;
    }
  }
  return depth == 0;
}

static int tool_available(const char *tool) {
  char cmd[256];
  snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
  return system(cmd) == 0;
}

/* Well-formed, by both checks; rendered to PNG when possible. */
static void check_file(const char *svg, int render) {
  char *text = slurp(svg), cmd[1200];
  CHECK(text != NULL);
  if (!text) return;
  CHECK(strncmp(text, "<?xml", 5) == 0);
  CHECK(xml_balanced(text));
  free(text);
  if (tool_available("xmllint")) {
    snprintf(cmd, sizeof cmd, "xmllint --noout '%s'", svg);
    CHECK(system(cmd) == 0);
  }
  if (render && tool_available("rsvg-convert")) {
    snprintf(cmd, sizeof cmd, "rsvg-convert '%s' -o '%.*s.png'", svg,
             (int)(strlen(svg) - 4), svg);
    CHECK(system(cmd) == 0);
    if (keep) printf("rendered %.*s.png\n", (int)(strlen(svg) - 4), svg);
  }
}

static void test_scenario_svg(void) {
  char path[600], err[256];
  char *text;
  tr = tl_trace_create(4096, 1 << 16);
  scenario();
  snprintf(path, sizeof path, "%s/scenario.svg", outdir);
  CHECK(tl_svg_write(tr, path, err, sizeof err) == 0);
  check_file(path, 1);
  text = slurp(path);
  if (text) {
    CHECK(strstr(text, ">MainThread<") != NULL);
    CHECK(strstr(text, ">worker-1<") != NULL);
    CHECK(strstr(text, ">下载线程-2<") != NULL);
    /* one process: its GIL row needs no number, and no OS pid shows */
    CHECK(strstr(text, ">GIL<") != NULL);
    CHECK(strstr(text, "4242") == NULL);
    CHECK(strstr(text, "&lt;ok&gt; &amp; &quot;done&quot;") != NULL);
    CHECK(strstr(text, ">lock A<") != NULL);
    CHECK(strstr(text, "WenQuanYi Micro Hei") != NULL);
    CHECK(strstr(text, ">25 ms<") != NULL);
  }
  free(text);
  tl_trace_destroy(tr);
}

/* Names and text built to break XML: specials, quotes, a bad UTF-8 byte,
 * a control character, a newline; and a second process. */
static void test_hostile_text(void) {
  static const char nasty[] = "<b>&amp;\"'\x01\xff\xfe name\n中";
  char path[600], err[256];
  char *text;
  tr = tl_trace_create(256, 1 << 12);
  ev(0, 1, TL_EV_THREAD_NEW, 0, 1, str(nasty));
  ev(0, 1, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  ev(1, 1, TL_EV_PRINT, 0, 0, str(nasty));
  ev(1.5, 1, TL_EV_GIL_FAILED_WAKEUP, 0, 1, 0);
  ev(2, 1, TL_EV_INTERRUPT, 0, 0, str("KeyboardInterrupt"));
  tl_trace_emit(tr, 2500 * US, PID + 1, 1, TL_EV_DEADLOCK, 0, 0, str("a <-> b"));
  tl_trace_emit(tr, 2600 * US, PID + 1, 1, TL_EV_LOCK_REQUEST, 0, 5, 0);
  snprintf(path, sizeof path, "%s/hostile.svg", outdir);
  CHECK(tl_svg_write(tr, path, err, sizeof err) == 0);
  check_file(path, 1);
  text = slurp(path);
  CHECK(text && strstr(text, "&lt;b&gt;&amp;amp;&quot;&apos;") != NULL);
  CHECK(text && strstr(text, "\xef\xbf\xbd") != NULL); /* U+FFFD for the bad byte */
  free(text);
  tl_trace_destroy(tr);
}

static void test_bad_paths(void) {
  char err[256] = "", path[600];
  tr = tl_trace_create(64, 1024);
  ev(0, 1, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  CHECK(tl_svg_write(tr, "/nonexistent-dir/x.svg", err, sizeof err) == -1);
  CHECK(strstr(err, "/nonexistent-dir/x.svg") && strstr(err, "No such file"));
  CHECK(tl_svg_write(tr, outdir, err, sizeof err) == -1); /* a directory */
  CHECK(strstr(err, outdir) != NULL);
  /* An empty trace still makes a valid picture. */
  tl_trace_clear(tr);
  snprintf(path, sizeof path, "%s/empty.svg", outdir);
  CHECK(tl_svg_write(tr, path, err, sizeof err) == 0);
  check_file(path, 0);
  tl_trace_destroy(tr);
}

/* 100,000 GIL switches in 1200 px: merged, counted, none dropped. */
static void test_aggregation(void) {
  enum { N = 100000 };
  tl_layout *l;
  tl_display *d;
  tl_display_opts o;
  size_t i, rects = 0, glyphs = 0, arrows = 0;
  uint64_t counted = 0, in_layout = 0, arrow_count = 0;
  tr = tl_trace_create(4 * N + 16, 1 << 12);
  for (i = 0; i < N; i++) {
    uint32_t a = 1 + (uint32_t)(i % 2), b = 2 - (uint32_t)(i % 2);
    tl_trace_emit(tr, i * 100, PID, a, TL_EV_GIL_ACQUIRE, 0, 0, 0);
    tl_trace_emit(tr, i * 100 + 10, PID, b, TL_EV_GIL_REQUEST, 0, a, 0);
    if (i % 10 == 0) tl_trace_emit(tr, i * 100 + 20, PID, a, TL_EV_PRINT, 0, 0, 0);
    tl_trace_emit(tr, i * 100 + 90, PID, a, TL_EV_GIL_RELEASE, TL_GIL_FORCED, 0, 0);
  }
  l = tl_layout_build(tr);
  CHECK(l != NULL);
  if (!l) return;
  tl_display_opts_default(&o);
  d = tl_display_build(l, &o);
  CHECK(d != NULL);
  if (!d) return;
  for (i = 0; i < d->n; i++) {
    const tl_dl_item *it = &d->items[i];
    if (it->role == TL_ROLE_SEGMENT && it->lane == 0) {
      rects++;
      counted += it->count;
    }
    if (it->role == TL_ROLE_MARKER && it->kind == TL_DL_GLYPH) glyphs++;
    if (it->role == TL_ROLE_ARROW) {
      arrows++;
      arrow_count += it->count;
    }
  }
  in_layout = l->lanes[0].nseg;
  CHECK(rects > 100 && rects <= 2 * 1200);
  CHECK(counted == in_layout);
  CHECK(arrows <= 1200 && arrow_count == l->narrows);
  CHECK(glyphs <= 2 * 1200);
  CHECK(d->n < 20000);
  /* Zoomed into 1 µs-wide window: segments are wide again, each its own. */
  o.t_from = 500000;
  o.t_to = 501000;
  tl_display_free(d);
  d = tl_display_build(l, &o);
  CHECK(d != NULL);
  if (d) {
    for (i = 0, rects = 0; i < d->n; i++)
      if (d->items[i].role == TL_ROLE_SEGMENT && d->items[i].lane == 0) {
        rects++;
        CHECK(d->items[i].count == 1);
      }
    CHECK(rects >= 10 && rects <= 22);
    CHECK(tl_display_time_at(d, d->plot_x0) == 500000);
    CHECK(tl_display_time_at(d, d->plot_x1) == 501000);
  }
  tl_display_free(d);
  tl_layout_free(l);
  tl_trace_destroy(tr);
}

int main(int argc, char **argv) {
  static const tl_test tests[] = {
      TL_TEST(test_scenario_svg),
      TL_TEST(test_hostile_text),
      TL_TEST(test_bad_paths),
      TL_TEST(test_aggregation),
      {NULL, NULL}};
  int rc;
  const char *env = getenv("TL_TEST_OUT");
  if (env && *env) {
    snprintf(outdir, sizeof outdir, "%s", env);
    mkdir(outdir, 0777);
    keep = 1;
  } else {
    snprintf(outdir, sizeof outdir, "%s/threadlab-test-svg-%ld",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
    CHECK(mkdir(outdir, 0777) == 0 || errno == EEXIST);
  }
  rc = tl_test_main(tests, argc, argv);
  if (!keep) {
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", outdir);
    if (system(cmd) != 0) printf("could not remove %s\n", outdir);
  }
  return rc ? rc : failures != 0;
}
