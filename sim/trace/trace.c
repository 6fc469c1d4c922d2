#include "trace.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define TL__MAGIC "TLTRACE1"

struct tl_trace {
  /* Shared between forked processes (the struct itself is in the mapping). */
  _Atomic uint64_t claimed;   /* slots handed out */
  _Atomic uint64_t published; /* a hint: every slot below it is published */
  _Atomic uint64_t lost;
  _Atomic uint64_t arena_used;
  _Atomic uint32_t next_id;
  _Atomic int warned;
  uint64_t capacity;
  uint64_t arena_bytes;
  size_t map_bytes; /* 0 when loaded from a file (heap) */
  tl_event *ev;
  char *arena;
};

tl_trace *tl_trace_global;

static const char *const tl__kind_names[] = {
#define TL__KIND_NAME(name, text) text,
    TL_EVENT_KINDS(TL__KIND_NAME)
#undef TL__KIND_NAME
};

const char *tl_event_kind_name(unsigned kind) {
  return kind < TL_EV__COUNT ? tl__kind_names[kind] : "?";
}

int tl_event_kind_has_text(unsigned kind) {
  switch (kind) {
    case TL_EV_THREAD_NEW: case TL_EV_LOCK_NEW: case TL_EV_PRINT:
    case TL_EV_MARK: case TL_EV_INTERRUPT: case TL_EV_DEADLOCK:
    case TL_EV_LESSON_STEP: case TL_EV_LOST_UPDATE:
      return 1;
    default:
      return 0;
  }
}

static size_t tl__align(size_t n) { return (n + 4095) & ~(size_t)4095; }

tl_trace *tl_trace_create(size_t capacity, size_t arena_bytes) {
  size_t head = tl__align(sizeof(tl_trace));
  size_t evb = tl__align(capacity * sizeof(tl_event));
  size_t total = head + evb + tl__align(arena_bytes);
  char *base;
  tl_trace *tr;
  if (capacity < 2 || arena_bytes < 2) { errno = EINVAL; return NULL; }
  /* NORESERVE: a large log costs only the pages a run really fills. */
  base = mmap(NULL, total, PROT_READ | PROT_WRITE,
              MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED) return NULL;
  tr = (tl_trace *)base;
  tr->capacity = capacity;
  tr->arena_bytes = arena_bytes;
  tr->map_bytes = total;
  tr->ev = (tl_event *)(base + head);
  tr->arena = base + head + evb;
  atomic_store(&tr->arena_used, 1); /* offset 0 is the empty string */
  atomic_store(&tr->next_id, 1);
  return tr;
}

void tl_trace_destroy(tl_trace *tr) {
  if (!tr) return;
  if (tr->map_bytes) {
    munmap(tr, tr->map_bytes);
  } else {
    free(tr->ev);
    free(tr->arena);
    free(tr);
  }
}

void tl_trace_clear(tl_trace *tr) {
  uint64_t n = atomic_load(&tr->claimed);
  if (n > tr->capacity) n = tr->capacity;
  memset(tr->ev, 0, n * sizeof(tl_event));
  atomic_store(&tr->claimed, 0);
  atomic_store(&tr->published, 0);
  atomic_store(&tr->lost, 0);
  atomic_store(&tr->warned, 0);
  atomic_store(&tr->arena_used, 1);
}

uint32_t tl_trace_emit(tl_trace *tr, uint64_t t, int32_t pid, uint32_t tid,
                       uint16_t kind, uint16_t reason, uint32_t obj,
                       uint64_t arg) {
  uint64_t i = atomic_fetch_add_explicit(&tr->claimed, 1, memory_order_relaxed);
  tl_event *e;
  if (i >= tr->capacity - 1) {
    if (i > tr->capacity - 1) {
      atomic_fetch_add_explicit(&tr->lost, 1, memory_order_relaxed);
      if (!atomic_exchange(&tr->warned, 1))
        fprintf(stderr,
                "threadlab: warning: the trace is full (%llu events); later "
                "events are counted but not recorded (raise --trace-size)\n",
                (unsigned long long)tr->capacity);
      return (uint32_t)i;
    }
    /* The last slot says, in the trace itself, that the log ran full. */
    kind = TL_EV_TRACE_FULL;
    reason = 0;
    obj = 0;
    arg = 0;
  }
  e = &tr->ev[i];
  e->t = t;
  e->arg = arg;
  e->seq = (uint32_t)i;
  e->pid = pid;
  e->tid = tid;
  e->obj = obj;
  e->reason = reason;
  e->aux = 0;
  atomic_store_explicit((_Atomic uint16_t *)&e->kind, kind, memory_order_release);
  return (uint32_t)i;
}

uint64_t tl_trace_str(tl_trace *tr, const char *s, size_t len) {
  uint64_t off;
  if (!s || len == 0) return 0;
  off = atomic_fetch_add_explicit(&tr->arena_used, len + 1, memory_order_relaxed);
  if (off + len + 1 > tr->arena_bytes) {
    atomic_fetch_sub_explicit(&tr->arena_used, len + 1, memory_order_relaxed);
    if (!atomic_exchange(&tr->warned, 1))
      fprintf(stderr, "threadlab: warning: the trace's text arena is full; "
                      "later names and printed text are not recorded\n");
    return 0;
  }
  memcpy(tr->arena + off, s, len);
  tr->arena[off + len] = '\0';
  return off;
}

const char *tl_trace_strat(const tl_trace *tr, uint64_t off) {
  uint64_t used = atomic_load_explicit(&((tl_trace *)tr)->arena_used, memory_order_acquire);
  if (off == 0 || off >= used || off >= tr->arena_bytes) return "";
  return tr->arena + off;
}

uint32_t tl_trace_new_id(tl_trace *tr) {
  return atomic_fetch_add_explicit(&tr->next_id, 1, memory_order_relaxed);
}

size_t tl_trace_count(const tl_trace *ctr) {
  tl_trace *tr = (tl_trace *)ctr;
  uint64_t n = atomic_load_explicit(&tr->published, memory_order_acquire);
  uint64_t lim = atomic_load_explicit(&tr->claimed, memory_order_acquire);
  if (lim > tr->capacity) lim = tr->capacity;
  while (n < lim &&
         atomic_load_explicit((_Atomic uint16_t *)&tr->ev[n].kind,
                              memory_order_acquire) != 0)
    n++;
  atomic_store_explicit(&tr->published, n, memory_order_release);
  return (size_t)n;
}

const tl_event *tl_trace_at(const tl_trace *tr, size_t i) { return &tr->ev[i]; }

uint64_t tl_trace_lost(const tl_trace *tr) {
  return atomic_load(&((tl_trace *)tr)->lost);
}

struct tl__file_head {
  char magic[8];
  uint64_t nevents;
  uint64_t arena_bytes;
  uint64_t lost;
};

int tl_trace_save(const tl_trace *tr, const char *path) {
  struct tl__file_head h;
  size_t n = tl_trace_count(tr);
  uint64_t used = atomic_load(&((tl_trace *)tr)->arena_used);
  FILE *f = fopen(path, "wb");
  int ok;
  if (!f) return -1;
  memcpy(h.magic, TL__MAGIC, 8);
  h.nevents = n;
  h.arena_bytes = used;
  h.lost = tl_trace_lost(tr);
  ok = fwrite(&h, sizeof h, 1, f) == 1 &&
       (n == 0 || fwrite(tr->ev, sizeof(tl_event), n, f) == n) &&
       fwrite(tr->arena, 1, used, f) == used;
  if (fclose(f) != 0) ok = 0;
  if (!ok && errno == 0) errno = EIO;
  return ok ? 0 : -1;
}

tl_trace *tl_trace_load(const char *path, char *err, size_t errlen) {
  struct tl__file_head h;
  FILE *f = fopen(path, "rb");
  tl_trace *tr = NULL;
  long size;
  uint64_t i;
  if (!f) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return NULL;
  }
  if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
      fread(&h, sizeof h, 1, f) != 1 || memcmp(h.magic, TL__MAGIC, 8) != 0) {
    snprintf(err, errlen, "%s: not a threadlab trace", path);
    goto fail;
  }
  if (h.nevents > (uint64_t)size / sizeof(tl_event) || h.arena_bytes == 0 ||
      h.arena_bytes > (uint64_t)size ||
      sizeof h + h.nevents * sizeof(tl_event) + h.arena_bytes != (uint64_t)size) {
    snprintf(err, errlen, "%s: corrupt trace (sizes do not match the file)", path);
    goto fail;
  }
  tr = calloc(1, sizeof *tr);
  if (!tr) goto oom;
  tr->capacity = h.nevents + 1;
  tr->arena_bytes = h.arena_bytes;
  tr->ev = calloc(tr->capacity, sizeof(tl_event));
  tr->arena = malloc(h.arena_bytes);
  if (!tr->ev || !tr->arena) goto oom;
  if ((h.nevents && fread(tr->ev, sizeof(tl_event), h.nevents, f) != h.nevents) ||
      fread(tr->arena, 1, h.arena_bytes, f) != h.arena_bytes) {
    snprintf(err, errlen, "%s: truncated trace", path);
    goto fail;
  }
  tr->arena[h.arena_bytes - 1] = '\0'; /* every string ends inside the arena */
  for (i = 0; i < h.nevents; i++) {
    tl_event *e = &tr->ev[i];
    if (e->kind == TL_EV_NONE || e->kind >= TL_EV__COUNT) {
      snprintf(err, errlen, "%s: corrupt trace (event %llu has unknown kind %u)",
               path, (unsigned long long)i, (unsigned)e->kind);
      goto fail;
    }
    if (tl_event_kind_has_text(e->kind) && e->arg >= h.arena_bytes) {
      snprintf(err, errlen, "%s: corrupt trace (event %llu points outside its text)",
               path, (unsigned long long)i);
      goto fail;
    }
  }
  atomic_store(&tr->claimed, h.nevents);
  atomic_store(&tr->published, h.nevents);
  atomic_store(&tr->lost, h.lost);
  atomic_store(&tr->arena_used, h.arena_bytes);
  fclose(f);
  return tr;
oom:
  snprintf(err, errlen, "%s: out of memory loading the trace", path);
fail:
  fclose(f);
  if (tr) {
    free(tr->ev);
    free(tr->arena);
    free(tr);
  }
  return NULL;
}

void tl_trace_dump(const tl_trace *tr, void *out) {
  FILE *f = out;
  size_t n = tl_trace_count(tr), i;
  int32_t pids[64];
  int npids = 0;
  for (i = 0; i < n; i++) {
    const tl_event *e = &tr->ev[i];
    int p;
    /* pids differ from run to run; number processes by first appearance so
     * two runs of the same deterministic program dump the same text. */
    for (p = 0; p < npids && pids[p] != e->pid; p++) {}
    if (p == npids && npids < 64) pids[npids++] = e->pid;
    fprintf(f, "%7u %4llu.%09llu P%d T%u %-18s r=%u obj=%u", e->seq,
            (unsigned long long)(e->t / 1000000000u),
            (unsigned long long)(e->t % 1000000000u), p + 1, e->tid,
            tl_event_kind_name(e->kind), e->reason, e->obj);
    if (tl_event_kind_has_text(e->kind)) {
      /* Escaped, so that each event stays on one line. */
      const unsigned char *c = (const unsigned char *)tl_trace_strat(tr, e->arg);
      fputs(" \"", f);
      for (; *c; c++) {
        if (*c == '\n') fputs("\\n", f);
        else if (*c == '\t') fputs("\\t", f);
        else if (*c == '"' || *c == '\\') fprintf(f, "\\%c", *c);
        else if (*c < 0x20) fprintf(f, "\\x%02x", *c);
        else fputc(*c, f);
      }
      fputs("\"\n", f);
    } else
      fprintf(f, " arg=%llu\n", (unsigned long long)e->arg);
  }
  if (tl_trace_lost(tr))
    fprintf(f, "# %llu events lost: the trace was full\n",
            (unsigned long long)tl_trace_lost(tr));
}
