/* Recording: the diagram format follows the file's extension. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "anim.h"
#include "app.h"
#include "atomic_file.h"
#include "chrome_json.h"
#include "display.h"
#include "html.h"
#include "layout.h"
#include "png.h"
#include "svg.h"

/* X(name, extension): the recording formats, by file name. */
#define TL_RECORD_FORMATS(X) \
  X(SVG, ".svg")             \
  X(PNG, ".png")             \
  X(JSON, ".json")           \
  X(DL, ".dl")               \
  X(HTML, ".html")           \
  X(GIF, ".gif")             \
  X(APNG, ".apng")

enum tl__format {
  TL__FMT_NONE = -1,
#define TL__FMT_ENUM(name, ext) TL__FMT_##name,
  TL_RECORD_FORMATS(TL__FMT_ENUM)
#undef TL__FMT_ENUM
  TL__FMT__COUNT
};

#define TL__FORMATS_SAID "use a .svg, .png, .html, .gif, .apng or .json file name, " \
                         "or .dl for the display list as text"

/* The pace of animations (--anim-fps, --anim-seconds), at the still
 * PNG's scale so the last frame is that picture. */
static tl_anim_opts tl__anim = {TL_ANIM_FPS, TL_ANIM_SECONDS, 2};

void tl_record_set_anim(double fps, double seconds) {
  if (fps > 0) tl__anim.fps = fps;
  if (seconds > 0) tl__anim.seconds = seconds;
}

static int tl__format_of(const char *path) {
  static const char *const exts[] = {
#define TL__FMT_EXT(name, ext) ext,
    TL_RECORD_FORMATS(TL__FMT_EXT)
#undef TL__FMT_EXT
  };
  size_t n = strlen(path), e;
  int i;
  for (i = 0; i < TL__FMT__COUNT; i++)
    if (n > (e = strlen(exts[i])) && strcasecmp(path + n - e, exts[i]) == 0) return i;
  return TL__FMT_NONE;
}


static int tl__dl_writer(FILE *f, const char *tmp, void *d, char *err, size_t errlen) {
  return tl_display_write_text(d, f);
}

static int tl__write_dl(const tl_display *d, const char *path, char *err, size_t errlen) {
  return tl_write_file_atomic(path, NULL, tl__dl_writer, (void *)d, err, errlen);
}

int tl_record_check(const char *path, char *err, size_t errlen) {
  char probe[4200];
  const char *slash;
  int fd;
  if (tl__format_of(path) == TL__FMT_NONE) {
    snprintf(err, errlen, "unknown diagram format (" TL__FORMATS_SAID ")");
    return -1;
  }
  if (strlen(path) > 4000) {
    snprintf(err, errlen, "the file name is too long");
    return -1;
  }
  /* The writers make a temporary file beside path and rename it: try
   * that folder now, not after the run. */
  slash = strrchr(path, '/');
  if (slash)
    snprintf(probe, sizeof probe, "%.*s/.threadlab-probe-XXXXXX", (int)(slash - path), path);
  else
    snprintf(probe, sizeof probe, ".threadlab-probe-XXXXXX");
  if ((fd = mkstemp(probe)) < 0) {
    snprintf(err, errlen, "cannot write in the folder of %s: %s", path, strerror(errno));
    return -1;
  }
  close(fd);
  unlink(probe);
  return 0;
}

int tl_record_range(const tl_trace *tr, const char *path, uint64_t from, uint64_t to,
                    char *err, size_t errlen) {
  int fmt = tl__format_of(path), rc = -1;
  tl_layout *l;
  tl_display *d = NULL;
  tl_display_opts o;
  if (fmt == TL__FMT_NONE) {
    snprintf(err, errlen, "unknown diagram format (" TL__FORMATS_SAID ")");
    return -1;
  }
  if (to && to <= from) {
    snprintf(err, errlen, "the window's end must come after its start");
    return -1;
  }
  if (!(l = tl_layout_build(tr))) {
    snprintf(err, errlen, "%s: out of memory laying out the trace", path);
    return -1;
  }
  /* The ring dropped the start of the run: the picture begins where what
   * it kept begins, at the marker that says how much went before. */
  if (!from && l->drop_t > l->t_begin) {
    from = l->drop_t > 1000 ? l->drop_t - 1000 : 0;
    if (to && to <= from) to = from + 1;
  }
  if (fmt == TL__FMT_JSON) {
    rc = tl_json_write(l, path, from, to, err, errlen);
  } else {
    tl_display_opts_default(&o);
    o.t_from = from;
    o.t_to = to ? to : (from ? (l->t_end > from ? l->t_end : from + 1) : 0);
    o.waitfor = 1;
    o.group_short = 1;
    if (!(d = tl_display_build(l, &o)))
      snprintf(err, errlen, "%s: out of memory drawing the trace", path);
    else if (fmt == TL__FMT_SVG)
      rc = tl_svg_write_display(d, path, err, errlen);
    else if (fmt == TL__FMT_DL)
      rc = tl__write_dl(d, path, err, errlen);
    else if (fmt == TL__FMT_HTML)
      rc = tl_html_write(l, d, &o, path, err, errlen);
    else if (fmt == TL__FMT_PNG)
      rc = tl_png_write_display(d, path, tl__anim.scale, err, errlen);
    else /* the last frame is the still picture: d */
      rc = tl_anim_write(tr, l, d, &o, fmt == TL__FMT_GIF ? TL_ANIM_GIF : TL_ANIM_APNG,
                         &tl__anim, path, err, errlen);
  }
  tl_display_free(d);
  tl_layout_free(l);
  return rc;
}

/* A recording of a live trace whose ring has dropped events from the
 * asked-for window starts late: say so (the picture itself shows a
 * "dropped" marker, but a teacher recording slides reads the terminal). */
int tl_record_note(const tl_trace *tr, uint64_t from, char *buf, size_t n) {
  tl_event oldest;
  char at[32];
  if (tl_trace_loaded(tr) || tl_trace_dropped(tr) == 0 || !tl_trace_oldest(tr, &oldest) ||
      oldest.t <= from)
    return 0;
  tl_format_ns(at, sizeof at, (double)oldest.t);
  snprintf(buf, n, "the recording starts at %s: the trace ring dropped %llu older events "
                   "(--trace-size %zu; a larger one keeps more, --trace FILE keeps them all)",
           at, (unsigned long long)tl_trace_dropped(tr), tl_trace_capacity(tr));
  return 1;
}

int tl_record(const tl_trace *tr, const char *path, char *err, size_t errlen) {
  return tl_record_range(tr, path, 0, 0, err, errlen);
}
