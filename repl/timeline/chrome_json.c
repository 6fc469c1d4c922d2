/* Writing the Chrome Trace Event format. See chrome_json.h.
 *
 * What every viewer must draw the same way:
 * - A process is numbered by its first appearance (1, 2, ...), not by its
 *   OS pid, so a virtual-clock recording is the same file every time;
 *   viewers add the number to the name themselves.
 * - Threads keep their threadlab ids (MainThread is 1); each process's GIL
 *   is one more thread, numbered after its last, never 0 (older Perfetto
 *   merges tid 0 into tid 1), and listed first.
 * - Times are µs with exact nanoseconds, shifted by TL__T0_NS so nothing
 *   lies at ts 0 (some viewers drop it). A slice's dur is cut by a
 *   nanosecond or two where ts + dur, added in doubles as JavaScript adds
 *   them, would pass the slice's end and overlap the next one.
 * - A flow starts strictly inside the sender's slice and ends ("bp":"e")
 *   strictly inside the receiver's, so every viewer binds each end to that
 *   slice and no neighbour. */
#include "chrome_json.h"

#include "atomic_file.h"
#include "utf8.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Every time is written this much later than it happened. */
#define TL__T0_NS 1000u

typedef struct tl__json {
  FILE *f;
  const tl_layout *l;
  uint64_t from, to;
  int first;
  uint32_t *gil_tid;  /* per process: the GIL's thread id */
} tl__json;

/* A JSON string: quotes, backslashes and controls escaped; bytes that are
 * not UTF-8 become U+FFFD, so hostile names never break the file. */
static void tl__jstr(FILE *f, const char *s) {
  const unsigned char *p = (const unsigned char *)s, *q;
  fputc('"', f);
  while (*p) {
    uint32_t c;
    q = p;
    c = tl_utf8_next(&q);
    if (c == 0xFFFD) fputs("\\ufffd", f);
    else if (c >= 0x80) fwrite(p, 1, (size_t)(q - p), f);
    else if (c == '"' || c == '\\') fprintf(f, "\\%c", (int)c);
    else if (c == '\n') fputs("\\n", f);
    else if (c < 0x20 || c == 0x7F) fprintf(f, "\\u%04x", (unsigned)c);
    else fputc((int)c, f);
    p = q;
  }
  fputc('"', f);
}

/* ns as µs, exactly (three decimals). */
static void tl__jdur(FILE *f, const char *key, uint64_t ns) {
  fprintf(f, ",\"%s\":%llu.%03u", key, (unsigned long long)(ns / 1000), (unsigned)(ns % 1000));
}

/* A point in time, shifted off 0. */
static void tl__jtime(FILE *f, const char *key, uint64_t ns) {
  tl__jdur(f, key, ns + TL__T0_NS);
}

/* The double a reader parses from what tl__jdur writes: both are the
 * correctly rounded value of ns / 1000. */
static double tl__us(uint64_t ns) {
  return (double)ns / 1000.0;
}

/* The duration to write for [t0, t1): t1 - t0, less the nanoseconds that
 * keep ts + dur, added in doubles, from passing t1. */
static uint64_t tl__dur(uint64_t t0, uint64_t t1) {
  uint64_t d = t1 - t0;
  double ts = tl__us(t0 + TL__T0_NS), end = tl__us(t1 + TL__T0_NS);
  while (d > 0 && ts + tl__us(d) > end) d--;
  return d;
}

/* A process's number: its place in order of first appearance, from 1. */
static int tl__jpid(const tl_layout *l, int32_t pid) {
  size_t p;
  for (p = 0; p < l->nprocs; p++)
    if (l->procs[p].pid == pid) return (int)p + 1;
  return (int)l->nprocs + 1;
}

static void tl__begin(tl__json *j, const char *ph, int32_t pid, uint32_t tid) {
  fputs(j->first ? "\n" : ",\n", j->f);
  j->first = 0;
  fprintf(j->f, "{\"ph\":\"%s\",\"pid\":%d,\"tid\":%u", ph, tl__jpid(j->l, pid), tid);
}

static void tl__name(tl__json *j, const char *name) {
  fputs(",\"name\":", j->f);
  tl__jstr(j->f, name);
}

/* ---- metadata ---------------------------------------------------------- */

static void tl__metadata(tl__json *j) {
  const tl_layout *l = j->l;
  char buf[64];
  size_t p, k;
  for (p = 0; p < l->nprocs; p++) {
    const tl_proc *pr = &l->procs[p];
    /* its name (a viewer adds the pid itself) */
    snprintf(buf, sizeof buf, "%s",
             pr->name ? tl_layout_text(l, pr->name) : p ? "threadlab, forked" : "threadlab");
    tl__begin(j, "M", pr->pid, j->gil_tid[p]);
    tl__name(j, "process_name");
    fputs(",\"args\":{\"name\":", j->f);
    tl__jstr(j->f, buf);
    fputs("}}", j->f);
    tl__begin(j, "M", pr->pid, j->gil_tid[p]);
    tl__name(j, "process_sort_index");
    fprintf(j->f, ",\"args\":{\"sort_index\":%zu}}", p);
    if (pr->has_gil) {
      tl__begin(j, "M", pr->pid, j->gil_tid[p]);
      tl__name(j, "thread_name");
      fputs(",\"args\":{\"name\":\"GIL\"}}", j->f);
      tl__begin(j, "M", pr->pid, j->gil_tid[p]);
      tl__name(j, "thread_sort_index");
      fputs(",\"args\":{\"sort_index\":-1}}", j->f);
    }
    for (k = 0; k < pr->nlanes; k++) {
      const tl_lane *ln = &l->lanes[pr->lanes[k]];
      tl__begin(j, "M", ln->pid, ln->tid);
      tl__name(j, "thread_name");
      fputs(",\"args\":{\"name\":", j->f);
      tl__jstr(j->f, ln->name);
      fputs("}}", j->f);
      tl__begin(j, "M", ln->pid, ln->tid);
      tl__name(j, "thread_sort_index");
      fprintf(j->f, ",\"args\":{\"sort_index\":%zu}}", k);
    }
  }
}

/* ---- slices ------------------------------------------------------------ */

/* What a waiting state waits for, e.g. "lock A", "Condition c". */
static void tl__what(const tl_layout *l, const tl_lane *ln, const tl_segment *s, char *buf,
                     size_t n) {
  const char *name;
  int jl;
  buf[0] = '\0';
  switch (s->state) {
    case TL_STATE_BLOCKED: case TL_STATE_WAITING: case TL_STATE_EVENT:
      name = tl_layout_lock_name(l, s->obj);
      if (name) snprintf(buf, n, "%s %s", tl_layout_obj_type(l, s->obj), name);
      else snprintf(buf, n, "%s #%u", tl_layout_obj_type(l, s->obj), s->obj);
      break;
    case TL_STATE_JOINING:
      jl = tl_layout_find_lane(l, ln->pid, s->obj);
      snprintf(buf, n, "%s", jl >= 0 ? l->lanes[jl].name : "a thread");
      break;
    case TL_STATE_IO:
      snprintf(buf, n, "%s", tl_layout_text(l, s->obj));
      break;
    default:
      break;
  }
}

static int tl__clip(const tl__json *j, uint64_t *t0, uint64_t *t1) {
  if (*t1 <= j->from || *t0 >= j->to) return 0;
  if (*t0 < j->from) *t0 = j->from;
  if (*t1 > j->to) *t1 = j->to;
  return 1;
}

static void tl__slices(tl__json *j) {
  const tl_layout *l = j->l;
  size_t p, i, k;
  char what[200], name[260];
  for (p = 0; p < l->nprocs; p++) {
    const tl_proc *pr = &l->procs[p];
    for (i = 0; i < pr->ngil; i++) {
      uint64_t t0 = pr->gil[i].t0, t1 = pr->gil[i].t1;
      int hl = tl_layout_find_lane(l, pr->pid, pr->gil[i].obj);
      if (!tl__clip(j, &t0, &t1)) continue;
      tl__begin(j, "X", pr->pid, j->gil_tid[p]);
      tl__name(j, hl >= 0 ? l->lanes[hl].name : "?");
      fputs(",\"cat\":\"gil\"", j->f);
      tl__jtime(j->f, "ts", t0);
      tl__jdur(j->f, "dur", tl__dur(t0, t1));
      fputs(",\"args\":{\"holder\":", j->f);
      tl__jstr(j->f, hl >= 0 ? l->lanes[hl].name : "?");
      fputs("}}", j->f);
    }
  }
  for (k = 0; k < l->nlanes; k++) {
    const tl_lane *ln = &l->lanes[k];
    for (i = 0; i < ln->nseg; i++) {
      const tl_segment *s = &ln->seg[i];
      uint64_t t0 = s->t0, t1 = s->t1;
      if (s->state == TL_STATE_DONE || s->state == TL_STATE_NONE) continue;
      if (!tl__clip(j, &t0, &t1)) continue;
      tl__what(l, ln, s, what, sizeof what);
      snprintf(name, sizeof name, "%s%s%s", tl_state_name(s->state), *what ? ": " : "", what);
      tl__begin(j, "X", ln->pid, ln->tid);
      tl__name(j, name);
      fputs(",\"cat\":\"state\"", j->f);
      tl__jtime(j->f, "ts", t0);
      tl__jdur(j->f, "dur", tl__dur(t0, t1));
      fputs(",\"args\":{\"state\":", j->f);
      tl__jstr(j->f, tl_state_name(s->state));
      if (*what) {
        fputs(",\"on\":", j->f);
        tl__jstr(j->f, what);
      }
      fputs("}}", j->f);
    }
  }
}

/* ---- instants and flows ----------------------------------------------- */

static const char *tl__marker_name(unsigned kind) {
  switch (kind) {
    case TL_EV_GIL_DROP_REQUEST: return "GIL drop request";
    case TL_EV_GIL_FAILED_WAKEUP: return "failed wake-up";
    case TL_EV_LESSON_STEP: return "lesson step";
    case TL_EV_TRACE_FULL: return "trace full";
    case TL_EV_LOST_UPDATE: return "lost update";
    case TL_EV_DROPPED: return "dropped";
    default: return tl_event_kind_name(kind);
  }
}

static void tl__instants(tl__json *j) {
  const tl_layout *l = j->l;
  size_t i;
  for (i = 0; i < l->nmarkers; i++) {
    const tl_marker *m = &l->markers[i];
    const tl_lane *ln = m->lane >= 0 ? &l->lanes[m->lane] : NULL;
    int proc = ln ? ln->proc : m->proc >= 0 ? m->proc : 0;
    int32_t pid = l->procs[proc].pid;
    char buf[300];
    const char *text = tl_layout_marker_label(l, m, buf, sizeof buf);
    const char *note = tl_layout_marker_note(l, m);
    if (m->t < j->from || m->t >= j->to) continue;
    tl__begin(j, "i", pid, ln ? ln->tid : j->gil_tid[proc]);
    /* a lost update or a drop is named by what it says, as drawn */
    tl__name(j, m->kind == TL_EV_LOST_UPDATE || m->kind == TL_EV_DROPPED ? text
                                                                          : tl__marker_name(m->kind));
    fprintf(j->f, ",\"cat\":\"%s\",\"s\":\"%s\"", tl_event_kind_name(m->kind),
            ln ? "t" : m->kind == TL_EV_DEADLOCK ? "p" : "g");
    tl__jtime(j->f, "ts", m->t);
    if (*text || *note) {
      fputs(",\"args\":{\"text\":", j->f);
      tl__jstr(j->f, text);
      if (*note) {
        fputs(",\"note\":", j->f);
        tl__jstr(j->f, note);
      }
      if (m->kind == TL_EV_DROPPED) fprintf(j->f, ",\"count\":%llu", (unsigned long long)m->arg);
      fputs("}", j->f);
    }
    fputs("}", j->f);
  }
}

/* Each thread stuck in a deadlock (found by the engine or the layout):
 * an instant on it saying what it waits for and who holds that. */
static void tl__deadlocked(tl__json *j) {
  const tl_layout *l = j->l;
  size_t i, k;
  char what[200];
  for (i = 0; i < l->ndeadlocks; i++) {
    const tl_deadlock *d = &l->deadlocks[i];
    if (d->t < j->from || d->t >= j->to) continue;
    for (k = 0; k < d->nedges; k++) {
      const tl_wait_edge *e = &d->edges[k];
      const tl_lane *ln = &l->lanes[e->waiter];
      if (e->join) snprintf(what, sizeof what, "joins %s", e->holder >= 0 ? l->lanes[e->holder].name : "?");
      else if (tl_layout_lock_name(l, e->obj))
        snprintf(what, sizeof what, "%s %s", tl_layout_obj_type(l, e->obj), tl_layout_lock_name(l, e->obj));
      else
        snprintf(what, sizeof what, "%s #%u", tl_layout_obj_type(l, e->obj), e->obj);
      tl__begin(j, "i", ln->pid, ln->tid);
      tl__name(j, d->hang ? "hangs (nothing can run again)" : e->cycle ? "deadlocked" : "waits (deadlock)");
      fputs(",\"cat\":\"deadlock\",\"s\":\"t\"", j->f);
      tl__jtime(j->f, "ts", d->t);
      fputs(",\"args\":{\"waits for\":", j->f);
      tl__jstr(j->f, what);
      if (!e->join && e->holder >= 0) {
        fputs(",\"held by\":", j->f);
        tl__jstr(j->f, l->lanes[e->holder].name);
      }
      fprintf(j->f, ",\"in the cycle\":%s}}", e->cycle ? "true" : "false");
    }
  }
}

static const char *const tl__flow_names[TL_ARROW__COUNT] = {
    "GIL handoff",   "forced GIL switch", "lock handoff", "notify -> wake",
    "set -> wake",   "put -> get",        "fork",         "exit -> join", "write -> read",
    "coroutine switch"};

/* Where an arrow's end at t goes on lane ln: strictly inside the written
 * slice holding t, or the one that ends (before: 1) or begins (before: 0)
 * at t, so a viewer binds it to that slice whatever order it reads
 * events of one time in. 0 when no slice there has an inside. */
static int tl__flow_point(const tl__json *j, const tl_lane *ln, uint64_t t, int before,
                          uint64_t *at) {
  uint64_t probe[2];
  int k;
  probe[0] = before && t ? t - 1 : t;
  probe[1] = before ? t : t ? t - 1 : t;
  for (k = 0; k < 2; k++) {
    size_t i = tl_segment_search(ln->seg, ln->nseg, probe[k]);
    const tl_segment *s = i < ln->nseg ? &ln->seg[i] : NULL;
    uint64_t t0, t1;
    if (!s || s->t0 > probe[k] || s->state == TL_STATE_DONE || s->state == TL_STATE_NONE)
      continue;
    t0 = s->t0, t1 = s->t1;
    if (!tl__clip(j, &t0, &t1)) continue;
    t1 = t0 + tl__dur(t0, t1);
    if (t1 - t0 < 2) continue;
    *at = t <= t0 ? t0 + 1 : t >= t1 ? t1 - 1 : t;
    return 1;
  }
  return 0;
}

static void tl__flows(tl__json *j) {
  const tl_layout *l = j->l;
  size_t i;
  uint64_t ts, tf;
  for (i = 0; i < l->narrows; i++) {
    const tl_arrow *a = &l->arrows[i];
    const tl_lane *from = &l->lanes[a->from], *to = &l->lanes[a->to];
    const char *lk = a->kind == TL_ARROW_LOCK ? tl_layout_lock_name(l, a->obj) : NULL;
    if (a->t1 < j->from || a->t0 >= j->to || a->kind >= TL_ARROW__COUNT) continue;
    /* An end with no slice to bind to would bind to a neighbour: drop it. */
    if (!tl__flow_point(j, from, a->t0, 1, &ts) || !tl__flow_point(j, to, a->t1, 0, &tf) ||
        tf < ts)
      continue;
    tl__begin(j, "s", from->pid, from->tid);
    tl__name(j, tl__flow_names[a->kind]);
    fprintf(j->f, ",\"cat\":\"%s\",\"id\":%zu", tl_arrow_kind_name(a->kind), i + 1);
    tl__jtime(j->f, "ts", ts);
    fputs("}", j->f);
    tl__begin(j, "f", to->pid, to->tid);
    tl__name(j, tl__flow_names[a->kind]);
    fprintf(j->f, ",\"cat\":\"%s\",\"id\":%zu,\"bp\":\"e\"", tl_arrow_kind_name(a->kind), i + 1);
    tl__jtime(j->f, "ts", tf);
    if (lk) {
      fputs(",\"args\":{\"lock\":", j->f);
      tl__jstr(j->f, lk);
      fputs("}", j->f);
    }
    fputs("}", j->f);
  }
}

int tl_json_emit(const tl_layout *l, FILE *out, uint64_t from, uint64_t to) {
  tl__json j;
  size_t p, k;
  j.gil_tid = calloc(l->nprocs ? l->nprocs : 1, sizeof *j.gil_tid);
  if (!j.gil_tid) {
    errno = ENOMEM;
    return -1;
  }
  for (p = 0; p < l->nprocs; p++) {
    for (k = 0; k < l->procs[p].nlanes; k++) {
      uint32_t tid = l->lanes[l->procs[p].lanes[k]].tid;
      if (tid > j.gil_tid[p]) j.gil_tid[p] = tid;
    }
    j.gil_tid[p]++;
  }
  j.f = out;
  j.l = l;
  j.from = from;
  j.to = to ? to : UINT64_MAX;
  j.first = 1;
  fprintf(out, "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"generator\":\"threadlab\","
          "\"ts_offset_us\":%u},", TL__T0_NS / 1000);
  fputs(""
        "\"traceEvents\":[", out);
  tl__metadata(&j);
  tl__slices(&j);
  tl__instants(&j);
  tl__deadlocked(&j);
  tl__flows(&j);
  fputs("\n]}\n", out);
  free(j.gil_tid);
  return ferror(out) ? -1 : 0;
}

struct tl__json_job {
  const tl_layout *l;
  uint64_t from, to;
};

static int tl__json_writer(FILE *f, const char *tmp, void *arg, char *err, size_t errlen) {
  const struct tl__json_job *job = arg;
  return tl_json_emit(job->l, f, job->from, job->to);
}

int tl_json_write(const tl_layout *l, const char *path, uint64_t from, uint64_t to, char *err,
                  size_t errlen) {
  struct tl__json_job job = {l, from, to};
  return tl_write_file_atomic(path, NULL, tl__json_writer, &job, err, errlen);
}
