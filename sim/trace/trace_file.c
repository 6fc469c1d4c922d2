/* Trace files: saving, streaming, loading and dumping.
 *
 * Format 2 ("TLTRACE2"), little-endian, made to be written while a run goes
 * on and read as hostile input:
 *
 *   header  "TLTRACE2" | u32 version (2) | u32 event size (40) | u64 0 | u64 0
 *   chunks  u32 tag | u32 0 | u64 payload bytes | payload
 *     "STRS"  strings, each ending in NUL, appended to the file's string
 *             table (offset 0 is the empty string, the first byte is 1)
 *     "EVTS"  events (struct tl_event); a text kind's arg is an offset into
 *             the string table as it stands after the chunks before it
 *     "RSET"  (empty) the session was :reset: what follows starts over
 *     "END."  u64 events | u64 lost (STOP mode) | u64 dropped: last, once
 *
 * A streaming writer appends STRS+EVTS pairs in large blocks to FILE.part
 * and END. at exit, then renames FILE.part to FILE: a file without END. is
 * a run that did not finish, refused as truncated. The writer reads the
 * shared log like any reader, so events appended by forked children (to the
 * same mapping, from their own address spaces) are streamed by the parent's
 * writer; a child never writes the file. Appenders wait for the writer
 * rather than overwrite an event it has not copied, so a stream is whole
 * whatever the ring's size. */
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TL__MAGIC "TLTRACE2"
#define TL__VERSION 2
#define TL__BLOCK_EVENTS 65536 /* 2.5 MB of events a write */

void tl__trace_streaming(tl_trace *tr, int on, uint64_t pos);
/* marks a trace as read from a file, with the lost count it had */
void tl__trace_loaded(tl_trace *tr, uint64_t lost);

struct tl__head {
  char magic[8];
  uint32_t version, event_size;
  uint64_t zero[2];
};

struct tl__chunk {
  char tag[4];
  uint32_t zero;
  uint64_t len;
};

/* ---- writing ------------------------------------------------------------ */

typedef struct tl__writer {
  int fd;
  int err;              /* errno of the first failure, 0 */
  tl_event *ev;
  size_t nev;
  char *str;
  size_t nstr, capstr;
  uint64_t strtab;      /* the file's string table size so far */
  uint64_t events, dropped;
} tl__writer;

static int tl__write_all(tl__writer *w, const void *p, size_t n) {
  const char *c = p;
  while (n && !w->err) {
    ssize_t k = write(w->fd, c, n);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) {
      w->err = k < 0 ? errno : EIO;
      break;
    }
    c += k;
    n -= (size_t)k;
  }
  return w->err ? -1 : 0;
}

static int tl__write_chunk(tl__writer *w, const char *tag, const void *p, size_t n) {
  struct tl__chunk c;
  memcpy(c.tag, tag, 4);
  c.zero = 0;
  c.len = n;
  if (tl__write_all(w, &c, sizeof c) != 0) return -1;
  return n ? tl__write_all(w, p, n) : 0;
}

static int tl__flush(tl__writer *w) {
  if (w->nstr && tl__write_chunk(w, "STRS", w->str, w->nstr) != 0) return -1;
  if (w->nev && tl__write_chunk(w, "EVTS", w->ev, w->nev * sizeof(tl_event)) != 0) return -1;
  w->strtab += w->nstr;
  w->nstr = 0;
  w->nev = 0;
  return 0;
}

static int tl__open(tl__writer *w, const char *path) {
  struct tl__head h;
  memset(w, 0, sizeof *w);
  w->ev = malloc(TL__BLOCK_EVENTS * sizeof(tl_event));
  w->capstr = 1 << 16;
  w->str = malloc(w->capstr);
  w->strtab = 1;
  w->fd = -1;
  if (!w->ev || !w->str) {
    w->err = ENOMEM;
    return -1;
  }
  w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (w->fd < 0) {
    w->err = errno;
    return -1;
  }
  memset(&h, 0, sizeof h);
  memcpy(h.magic, TL__MAGIC, 8);
  h.version = TL__VERSION;
  h.event_size = sizeof(tl_event);
  if (tl__write_all(w, &h, sizeof h) != 0) return -1;
  /* offset 0 of the string table is the empty string */
  w->str[0] = '\0';
  w->nstr = 1;
  w->strtab = 0;
  return 0;
}

static void tl__close(tl__writer *w) {
  if (w->fd >= 0 && close(w->fd) != 0 && !w->err) w->err = errno;
  w->fd = -1;
  free(w->ev);
  free(w->str);
  w->ev = NULL;
  w->str = NULL;
}

/* Adds one event, its text copied into the file's string table. */
static int tl__add(tl__writer *w, const tl_trace *tr, const tl_event *e) {
  tl_event c = *e;
  if (tl_event_has_text(e) && e->arg) {
    const char *s = tl_trace_strat(tr, e->arg);
    size_t n = strlen(s) + 1;
    if (w->nstr + n > w->capstr) {
      size_t cap = w->capstr;
      char *g;
      while (w->nstr + n > cap) cap *= 2;
      if (!(g = realloc(w->str, cap))) {
        w->err = ENOMEM;
        return -1;
      }
      w->str = g;
      w->capstr = cap;
    }
    memcpy(w->str + w->nstr, s, n);
    c.arg = w->strtab + w->nstr;
    w->nstr += n;
  }
  c.seq = (uint32_t)w->events;
  c.aux = 0;
  w->ev[w->nev++] = c;
  w->events++;
  if (w->nev == TL__BLOCK_EVENTS || w->nstr > (4u << 20)) return tl__flush(w);
  return 0;
}

/* What a reader missed, as an event of its own (a saved ring says so). */
static int tl__add_drop(tl__writer *w, const tl_trace *tr, const tl_event *next, uint64_t n) {
  tl_event d;
  memset(&d, 0, sizeof d);
  d.t = next->t;
  d.pid = next->pid;
  d.kind = TL_EV_DROPPED;
  d.arg = n;
  w->dropped += n;
  return tl__add(w, tr, &d);
}

static int tl__finish(tl__writer *w, const tl_trace *tr) {
  uint64_t end[3];
  if (tl__flush(w) != 0) return -1;
  end[0] = w->events;
  end[1] = tl_trace_lost(tr);
  end[2] = w->dropped;
  return tl__write_chunk(w, "END.", end, sizeof end);
}

static void tl__reason(char *err, size_t errlen, const char *path, int e) {
  snprintf(err, errlen, "%.400s: %s", path, e == ENOSPC ? "no space left on the disk" : strerror(e));
}

int tl_trace_save(const tl_trace *tr, const char *path, char *err, size_t errlen) {
  tl__writer w;
  tl_trace_reader r;
  tl_event e;
  char part[4096];
  snprintf(part, sizeof part, "%s.part", path);
  tl_trace_reader_init(&r, tr);
  if (tl__open(&w, part) == 0) {
    while (tl_trace_read(tr, &r, &e) == 1)
      if ((r.last_drop && tl__add_drop(&w, tr, &e, r.last_drop) != 0) || tl__add(&w, tr, &e) != 0)
        break;
    if (!w.err) tl__finish(&w, tr);
  }
  tl__close(&w);
  if (!w.err && rename(part, path) != 0) w.err = errno;
  if (w.err) {
    unlink(part);
    tl__reason(err, errlen, path, w.err);
    return -1;
  }
  return 0;
}

/* ---- streaming ---------------------------------------------------------- */

static struct {
  pthread_t thread;
  pthread_mutex_t mu;
  int running, stop, failed, flushing;
  pid_t pid;
  tl_trace *tr;
  tl__writer w;
  tl_trace_reader r;
  char path[4096], part[4096];
} S = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* Copies what the log gained into the block (and to disk when it is full);
 * 1 if there was anything. The caller holds S.mu. */
static int tl__drain(void) {
  tl_event e;
  int any = 0, rc;
  while (!S.w.err && (rc = tl_trace_read(S.tr, &S.r, &e)) == 1) {
    any = 1;
    if (S.r.last_drop) tl__add_drop(&S.w, S.tr, &e, S.r.last_drop);
    tl__add(&S.w, S.tr, &e);
    /* the slot may be reused now: the event is copied */
    tl__trace_streaming(S.tr, -1, S.r.next);
  }
  return any;
}

static void tl__stream_failed(void) {
  char why[512];
  if (S.failed) return;
  S.failed = 1;
  tl__trace_streaming(S.tr, 0, UINT64_MAX); /* appenders go on */
  tl__reason(why, sizeof why, S.part, S.w.err);
  fprintf(stderr, "threadlab: cannot write the trace: %s; streaming stopped, the run goes on%s\n",
          why, access(S.path, F_OK) == 0 ? " (the older trace file is kept)" : "");
  if (S.w.fd >= 0) close(S.w.fd);
  S.w.fd = -1;
  unlink(S.part);
}

static void *tl__stream_main(void *arg) {
  int idle = 0;
  (void)arg;
  for (;;) {
    int any;
    pthread_mutex_lock(&S.mu);
    if (S.stop || S.failed) {
      pthread_mutex_unlock(&S.mu);
      break;
    }
    any = tl__drain();
    /* Written out when a block fills, or when a quiet moment comes. */
    if (!any && S.w.nev && ++idle > 50) tl__flush(&S.w), idle = 0;
    if (S.w.err) tl__stream_failed();
    pthread_mutex_unlock(&S.mu);
    if (!any) {
      struct timespec ts = {0, 1000000};
      nanosleep(&ts, NULL);
    } else {
      idle = 0;
    }
  }
  return NULL;
}

int tl_trace_stream_start(tl_trace *tr, const char *path, char *err, size_t errlen) {
  if (S.running) {
    snprintf(err, errlen, "already streaming to %s", S.path);
    return -1;
  }
  if (strlen(path) + 6 > sizeof S.path) {
    snprintf(err, errlen, "%s: the path is too long", path);
    return -1;
  }
  snprintf(S.path, sizeof S.path, "%s", path);
  snprintf(S.part, sizeof S.part, "%s.part", path);
  S.tr = tr;
  S.stop = S.failed = 0;
  S.pid = getpid();
  if (tl__open(&S.w, S.part) != 0) {
    tl__reason(err, errlen, S.part, S.w.err);
    tl__close(&S.w);
    return -1;
  }
  tl_trace_reader_init(&S.r, tr);
  S.r.whole = 1;
  tl__trace_streaming(tr, 1, 0);
  if (pthread_create(&S.thread, NULL, tl__stream_main, NULL) != 0) {
    tl__trace_streaming(tr, 0, UINT64_MAX);
    tl__close(&S.w);
    unlink(S.part);
    snprintf(err, errlen, "cannot start the trace writer");
    return -1;
  }
  S.running = 1;
  return 0;
}

void tl_trace_stream_flush(tl_trace *tr) {
  if (!S.running || S.tr != tr || S.pid != getpid()) return;
  pthread_mutex_lock(&S.mu);
  if (!S.failed) {
    tl__drain();
    if (tl__flush(&S.w) == 0) tl__write_chunk(&S.w, "RSET", NULL, 0);
    /* a clear follows: the next events begin a new reader */
    tl_trace_reader_init(&S.r, tr);
    S.r.whole = 1;
    S.r.gen++;
    if (S.w.err) tl__stream_failed();
  }
  pthread_mutex_unlock(&S.mu);
}

int tl_trace_stream_finish(tl_trace *tr) {
  int failed;
  if (!S.running || S.tr != tr || S.pid != getpid()) return 0;
  pthread_mutex_lock(&S.mu);
  S.stop = 1;
  pthread_mutex_unlock(&S.mu);
  pthread_join(S.thread, NULL);
  S.running = 0;
  if (!S.failed) {
    tl__drain();
    tl__finish(&S.w, tr);
    if (!S.w.err && fsync(S.w.fd) != 0 && errno != EINVAL) S.w.err = errno;
    if (!S.w.err && close(S.w.fd) != 0) S.w.err = errno;
    S.w.fd = -1;
    if (!S.w.err && rename(S.part, S.path) != 0) S.w.err = errno;
    if (S.w.err) tl__stream_failed();
  }
  tl__trace_streaming(tr, 0, UINT64_MAX);
  tl__close(&S.w);
  failed = S.failed;
  return failed ? -1 : 0;
}

/* ---- reading ------------------------------------------------------------ */

typedef struct tl__file {
  FILE *f;
  const char *path;
  uint64_t size, pos;
  char *str;            /* the string table */
  uint64_t nstr, capstr;
  uint64_t events, lost, dropped; /* from END. */
} tl__file;

static int tl__bad(char *err, size_t errlen, const char *path, const char *why) {
  snprintf(err, errlen, "%s: %s", path, why);
  return -1;
}

/* Checks the header and walks every chunk header (seeking, not reading
 * events): every size adds up, END. is last. */
static int tl__check(tl__file *fl, char *err, size_t errlen) {
  struct tl__head h;
  struct tl__chunk c;
  uint64_t events = 0, end_seen = 0;
  struct stat st;
  if (fstat(fileno(fl->f), &st) != 0) return tl__bad(err, errlen, fl->path, strerror(errno));
  if (!S_ISREG(st.st_mode)) return tl__bad(err, errlen, fl->path, "not a regular file");
  fl->size = (uint64_t)st.st_size;
  if (fread(&h, sizeof h, 1, fl->f) != 1 || memcmp(h.magic, "TLTRACE", 7) != 0)
    return tl__bad(err, errlen, fl->path, "not a threadlab trace");
  if (memcmp(h.magic, TL__MAGIC, 8) != 0 || h.version != TL__VERSION)
    return tl__bad(err, errlen, fl->path,
                   "a trace from an older threadlab (format 1); this one reads format 2 - "
                   "record it again");
  if (h.event_size != sizeof(tl_event))
    return tl__bad(err, errlen, fl->path, "corrupt trace (unexpected event size)");
  fl->pos = sizeof h;
  while (fl->pos < fl->size) {
    if (end_seen) return tl__bad(err, errlen, fl->path, "corrupt trace (data after its end)");
    if (fl->size - fl->pos < sizeof c || fread(&c, sizeof c, 1, fl->f) != 1)
      return tl__bad(err, errlen, fl->path, "truncated trace (cut inside a block header)");
    fl->pos += sizeof c;
    if (c.len > fl->size - fl->pos)
      return tl__bad(err, errlen, fl->path, "truncated trace (a block runs past the end of the file)");
    if (memcmp(c.tag, "EVTS", 4) == 0) {
      if (c.len % sizeof(tl_event)) return tl__bad(err, errlen, fl->path, "corrupt trace (a partial event)");
      events += c.len / sizeof(tl_event);
    } else if (memcmp(c.tag, "END.", 4) == 0) {
      uint64_t end[3];
      if (c.len != sizeof end || fread(end, sizeof end, 1, fl->f) != 1)
        return tl__bad(err, errlen, fl->path, "corrupt trace (a bad end block)");
      if (end[0] != events) return tl__bad(err, errlen, fl->path, "corrupt trace (event count does not match)");
      fl->events = end[0];
      fl->lost = end[1];
      fl->dropped = end[2];
      end_seen = 1;
      fl->pos += c.len;
      continue;
    } else if (memcmp(c.tag, "RSET", 4) == 0) {
      if (c.len) return tl__bad(err, errlen, fl->path, "corrupt trace (a bad reset block)");
    } else if (memcmp(c.tag, "STRS", 4) != 0) {
      return tl__bad(err, errlen, fl->path, "corrupt trace (an unknown block)");
    }
    if (fseeko(fl->f, (off_t)c.len, SEEK_CUR) != 0) return tl__bad(err, errlen, fl->path, strerror(errno));
    fl->pos += c.len;
  }
  if (!end_seen)
    return tl__bad(err, errlen, fl->path,
                   "truncated trace (it has no end: the run that wrote it did not finish)");
  if (fseeko(fl->f, (off_t)sizeof h, SEEK_SET) != 0) return tl__bad(err, errlen, fl->path, strerror(errno));
  return 0;
}

static int tl__open_file(tl__file *fl, const char *path, char *err, size_t errlen) {
  memset(fl, 0, sizeof *fl);
  fl->path = path;
  fl->f = fopen(path, "rb");
  if (!fl->f) return tl__bad(err, errlen, path, strerror(errno));
  if (tl__check(fl, err, errlen) != 0) {
    fclose(fl->f);
    fl->f = NULL;
    return -1;
  }
  return 0;
}

static void tl__close_file(tl__file *fl) {
  if (fl->f) fclose(fl->f);
  free(fl->str);
  fl->f = NULL;
  fl->str = NULL;
}

/* Calls fn on every event of the file, in order, after checking it; text
 * offsets are checked against the string table. */
static int tl__each(tl__file *fl, int (*fn)(void *, const tl_event *, const char *), void *ud,
                    char *err, size_t errlen) {
  struct tl__chunk c;
  tl_event *buf = malloc(4096 * sizeof(tl_event));
  uint64_t i = 0;
  int rc = 0;
  if (!buf) return tl__bad(err, errlen, fl->path, "out of memory");
  while (rc == 0 && fread(&c, sizeof c, 1, fl->f) == 1) {
    if (memcmp(c.tag, "STRS", 4) == 0) {
      char *g;
      if (c.len == 0 || fl->nstr + c.len < fl->nstr) { rc = tl__bad(err, errlen, fl->path, "corrupt trace (a bad string block)"); break; }
      if (fl->nstr + c.len > fl->capstr) {
        uint64_t cap = fl->capstr ? fl->capstr : 65536;
        while (cap < fl->nstr + c.len) cap *= 2;
        if (!(g = realloc(fl->str, cap))) { rc = tl__bad(err, errlen, fl->path, "out of memory"); break; }
        fl->str = g;
        fl->capstr = cap;
      }
      if (fread(fl->str + fl->nstr, 1, c.len, fl->f) != c.len) { rc = tl__bad(err, errlen, fl->path, "truncated trace"); break; }
      fl->nstr += c.len;
      /* every string ends inside the table */
      if (fl->str[fl->nstr - 1] != '\0') { rc = tl__bad(err, errlen, fl->path, "corrupt trace (an unterminated string)"); break; }
    } else if (memcmp(c.tag, "EVTS", 4) == 0) {
      uint64_t left = c.len / sizeof(tl_event);
      while (left && rc == 0) {
        size_t n = left > 4096 ? 4096 : (size_t)left, k;
        if (fread(buf, sizeof(tl_event), n, fl->f) != n) { rc = tl__bad(err, errlen, fl->path, "truncated trace"); break; }
        for (k = 0; k < n && rc == 0; k++, i++) {
          const tl_event *e = &buf[k];
          char why[128];
          if (e->kind == TL_EV_NONE || e->kind >= TL_EV__COUNT) {
            snprintf(why, sizeof why, "corrupt trace (event %llu has unknown kind %u)",
                     (unsigned long long)i, (unsigned)e->kind);
            rc = tl__bad(err, errlen, fl->path, why);
          } else if (tl_event_has_text(e) && e->arg && e->arg >= fl->nstr) {
            snprintf(why, sizeof why, "corrupt trace (event %llu points outside its text)",
                     (unsigned long long)i);
            rc = tl__bad(err, errlen, fl->path, why);
          } else {
            rc = fn(ud, e, tl_event_has_text(e) && e->arg ? fl->str + e->arg : NULL);
          }
        }
        left -= n;
      }
    } else if (memcmp(c.tag, "RSET", 4) == 0) {
      rc = fn(ud, NULL, NULL);
    } else {
      break; /* END. (checked before) */
    }
  }
  free(buf);
  return rc;
}

typedef struct tl__load {
  tl_trace *tr;
  uint64_t from, to;
} tl__load;

static int tl__load_one(void *ud, const tl_event *e, const char *text) {
  tl__load *ld = ud;
  uint64_t arg;
  if (!e) { /* a :reset: the views show the session after it */
    tl_trace_clear(ld->tr);
    return 0;
  }
  arg = e->arg;
  if (ld->to > ld->from && !tl_event_pinned(e->kind, e->reason) && (e->t < ld->from || e->t >= ld->to))
    return 0;
  if (text) arg = tl_trace_str(ld->tr, text, strlen(text));
  tl_trace_emit(ld->tr, e->t, e->pid, e->tid, e->kind, e->reason, e->obj, arg);
  return 0;
}

tl_trace *tl_trace_load(const char *path, size_t capacity, uint64_t from, uint64_t to,
                        char *err, size_t errlen) {
  tl__file fl;
  tl__load ld;
  size_t strbytes;
  if (tl__open_file(&fl, path, err, errlen) != 0) return NULL;
  if (!capacity || capacity > fl.events + 2) capacity = fl.events + 2;
  /* the strings are in the file; a loaded trace needs at most as much */
  strbytes = fl.size + 2;
  ld.tr = tl_trace_create(capacity, strbytes);
  ld.from = from;
  ld.to = to;
  if (!ld.tr) {
    tl__bad(err, errlen, path, "out of memory loading the trace");
    tl__close_file(&fl);
    return NULL;
  }
  if (tl__each(&fl, tl__load_one, &ld, err, errlen) != 0) {
    tl_trace_destroy(ld.tr);
    tl__close_file(&fl);
    return NULL;
  }
  tl__trace_loaded(ld.tr, fl.lost);
  tl__close_file(&fl);
  return ld.tr;
}

typedef struct tl__dump {
  FILE *out;
  int32_t pids[64];
  int npids;
  uint64_t n;
} tl__dump;

static int tl__dump_one(void *ud, const tl_event *e, const char *text) {
  tl__dump *d = ud;
  FILE *f = d->out;
  int p;
  if (!e) {
    fputs("# :reset\n", f);
    return 0;
  }
  /* pids differ from run to run; number processes by first appearance so
   * two runs of the same deterministic program dump the same text. */
  for (p = 0; p < d->npids && d->pids[p] != e->pid; p++) {}
  if (p == d->npids && d->npids < 64) d->pids[d->npids++] = e->pid;
  fprintf(f, "%7llu %4llu.%09llu P%d T%u %-18s r=%u obj=%u", (unsigned long long)d->n++,
          (unsigned long long)(e->t / 1000000000u), (unsigned long long)(e->t % 1000000000u),
          p + 1, e->tid, tl_event_kind_name(e->kind), e->reason, e->obj);
  if (tl_event_has_text(e)) {
    /* Escaped, so that each event stays on one line. */
    const unsigned char *c = (const unsigned char *)(text ? text : "");
    fputs(" \"", f);
    for (; *c; c++) {
      if (*c == '\n') fputs("\\n", f);
      else if (*c == '\t') fputs("\\t", f);
      else if (*c == '"' || *c == '\\') fprintf(f, "\\%c", *c);
      else if (*c < 0x20) fprintf(f, "\\x%02x", *c);
      else fputc(*c, f);
    }
    fputs("\"\n", f);
  } else {
    fprintf(f, " arg=%llu\n", (unsigned long long)e->arg);
  }
  return 0;
}

int tl_trace_dump_file(const char *path, void *out, char *err, size_t errlen) {
  tl__file fl;
  tl__dump d;
  int rc;
  if (tl__open_file(&fl, path, err, errlen) != 0) return -1;
  memset(&d, 0, sizeof d);
  d.out = out;
  rc = tl__each(&fl, tl__dump_one, &d, err, errlen);
  if (rc == 0) {
    if (fl.lost)
      fprintf(out, "# %llu events lost: the trace was full\n", (unsigned long long)fl.lost);
    if (fl.dropped)
      fprintf(out, "# %llu events dropped: the ring overwrote them before they were saved\n",
              (unsigned long long)fl.dropped);
    fprintf(out, "# %llu events, %llu lost, %llu dropped\n", (unsigned long long)fl.events,
            (unsigned long long)fl.lost, (unsigned long long)fl.dropped);
  }
  tl__close_file(&fl);
  return rc;
}
