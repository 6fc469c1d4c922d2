/* The REPL's line reader. libedit's callback interface corrupts its heap on
 * lines past about 3.5 KB (its conversion buffer is resized under the
 * callback), so lines are read with its blocking readline() instead, on a
 * thread of their own: MainThread meanwhile waits, without the GIL, for
 * that thread's answer, for Ctrl-C and for the window's keys. libedit reads
 * characters through our getc, which also watches a pipe, so MainThread can
 * cut a line short (Ctrl-C, a key in the window). Completion needs Lua, so
 * the reader thread asks MainThread to do it. Input that is not a terminal
 * is read as plain lines, of any length; at its end the REPL ends, as with
 * Ctrl-D. */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <editline/readline.h>

#include "app.h"

static struct {
  pthread_t thread;
  int started;
  tl_mutex mu;
  tl_cond cv;
  int cut[2];        /* MainThread -> reader: stop reading this line */
  int told[2];       /* reader -> MainThread: 'l' a line, 'c' complete */
  int tty;
  /* a request, under mu */
  int want;
  const char *prompt;
  char *preset;      /* text the new line starts with */
  /* the answer */
  char *line;
  int eof, was_cut;
  /* a completion MainThread runs for the reader */
  void (*call)(void *);
  void *call_arg;
  int called;
} tl__in = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER,
             .cut = { -1, -1 }, .told = { -1, -1 } };

static __thread int tl__is_reader;

/* One byte of input, or -1 at its end or when MainThread cuts the line. */
static int tl__getbyte(void) {
  struct pollfd fds[2] = { { 0, POLLIN, 0 }, { tl__in.cut[0], POLLIN, 0 } };
  unsigned char c;
  for (;;) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (fds[1].revents & POLLIN) {
      tl__in.was_cut = 1;
      return -1;
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t r = read(0, &c, 1);
      if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      return r == 1 ? c : -1;
    }
  }
}

/* One character for libedit: a whole UTF-8 sequence as one code point (its
 * own reader would decode it; ours must too). */
static int tl__getc(FILE *f) {
  int c = tl__getbyte(), need, cp, more;
  (void)f;
  if (c < 0xc0 || c > 0xf4) return c;
  need = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
  cp = c & (0x3f >> need);
  while (need-- > 0) {
    if ((more = tl__getbyte()) < 0 || (more & 0xc0) != 0x80) return 0xfffd;
    cp = cp << 6 | (more & 0x3f);
  }
  return cp;
}

static int tl__put_preset(void) {
  if (tl__in.preset) {
    rl_insert_text(tl__in.preset);
    free(tl__in.preset);
    tl__in.preset = NULL;
  }
  return 0;
}

/* A plain line from input that is not a terminal, byte for byte; NULL at
 * its end. */
static char *tl__plain_line(const char *prompt) {
  size_t len = 0, cap = 256;
  char *buf = malloc(cap);
  int c;
  fputs(prompt, stdout);
  fflush(stdout);
  if (!buf) return NULL;
  while ((c = tl__getbyte()) >= 0 && c != '\n') {
    if (len + 2 > cap) {
      char *bigger = realloc(buf, cap *= 2);
      if (!bigger) break;
      buf = bigger;
    }
    buf[len++] = (char)c;
  }
  if (c < 0 && len == 0) {
    free(buf);
    return NULL;
  }
  if (len && buf[len - 1] == '\r') len--;
  buf[len] = '\0';
  return buf;
}

static void *tl__reader(void *arg) {
  (void)arg;
  tl__is_reader = 1;
  for (;;) {
    char *line;
    const char *prompt;
    tl_mutex_lock(&tl__in.mu);
    while (!tl__in.want) tl_cond_wait(&tl__in.cv, &tl__in.mu);
    tl__in.want = 0;
    prompt = tl__in.prompt;
    tl__in.was_cut = 0;
    tl_mutex_unlock(&tl__in.mu);
    line = tl__in.tty ? readline(prompt) : tl__plain_line(prompt);
    tl_mutex_lock(&tl__in.mu);
    free(tl__in.preset); /* not taken when the input is not a terminal */
    tl__in.preset = NULL;
    tl__in.line = line;
    tl__in.eof = !line && !tl__in.was_cut;
    tl_mutex_unlock(&tl__in.mu);
    while (write(tl__in.told[1], "l", 1) < 0 && errno == EINTR) {}
  }
  return NULL;
}

static int tl__start(void) {
  if (tl__in.started) return 0;
  if (pipe(tl__in.cut) != 0 || pipe(tl__in.told) != 0) return -1;
  fcntl(tl__in.cut[0], F_SETFL, O_NONBLOCK);
  tl__in.tty = isatty(0);
  tl_input_prepare();
  if (pthread_create(&tl__in.thread, NULL, tl__reader, NULL) != 0) return -1;
  pthread_detach(tl__in.thread);
  tl__in.started = 1;
  return 0;
}

void tl_input_prepare(void) {
  /* libedit keeps the line as wide characters and turns it back into bytes
   * by the locale's rules: Chinese typed at the prompt needs a UTF-8 one
   * (only the character type: numbers still print the C way). */
  const char *set = setlocale(LC_CTYPE, "");
  if (!set || (!strstr(set, "UTF-8") && !strstr(set, "utf8") && !strstr(set, "UTF8")))
    setlocale(LC_CTYPE, "C.UTF-8");
  /* libedit takes its getc when it initialises: before any history call. */
  rl_getc_function = tl__getc;
  rl_pre_input_hook = tl__put_preset;
}

static void tl__drain(int fd) {
  char buf[64];
  while (read(fd, buf, sizeof buf) > 0) {}
}

/* From the reader thread: runs fn(arg) on MainThread, which is waiting in
 * tl_input_read; returns when it is done. */
void tl_input_call_main(void (*fn)(void *), void *arg) {
  tl_mutex_lock(&tl__in.mu);
  tl__in.call = fn;
  tl__in.call_arg = arg;
  tl__in.called = 0;
  tl_mutex_unlock(&tl__in.mu);
  while (write(tl__in.told[1], "c", 1) < 0 && errno == EINTR) {}
  tl_mutex_lock(&tl__in.mu);
  while (!tl__in.called) tl_cond_wait(&tl__in.cv, &tl__in.mu);
  tl_mutex_unlock(&tl__in.mu);
}

int tl_input_on_reader(void) { return tl__is_reader; }

char *tl_input_read(const char *prompt, const char *preset, int extra_fd,
                    int (*on_extra)(void), int *status) {
  struct pollfd fds[3];
  int n = 2, cut = 0, r;
  char *line;
  *status = TL_INPUT_LINE;
  if (tl__start() != 0) {
    *status = TL_INPUT_EOF;
    return NULL;
  }
  tl_mutex_lock(&tl__in.mu);
  tl__in.prompt = prompt;
  tl__in.preset = preset ? strdup(preset) : NULL;
  tl__in.line = NULL;
  tl__in.want = 1;
  tl_cond_broadcast(&tl__in.cv);
  tl_mutex_unlock(&tl__in.mu);
  fds[0] = (struct pollfd){ tl__in.told[0], POLLIN, 0 };
  fds[1] = (struct pollfd){ tl_signals_fd(), POLLIN, 0 };
  if (extra_fd >= 0) fds[n++] = (struct pollfd){ extra_fd, POLLIN, 0 };
  for (;;) {
    char what;
    if ((r = poll(fds, (nfds_t)n, -1)) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (!cut && (fds[1].revents & POLLIN)) {
      if (tl_signals_drain() == 0) {
        /* a child printed a line over the prompt (it cleared the line
         * first): the prompt again; what was typed is still there, and
         * shows again as it is edited */
        tl_write_out(0, prompt, strlen(prompt));
        if (!(fds[0].revents & POLLIN)) continue;
      } else {
        *status = TL_INPUT_INTERRUPT;
        cut = 1;
      }
    } else if (!cut && n > 2 && (fds[2].revents & POLLIN) && on_extra()) {
      *status = TL_INPUT_OTHER;
      cut = 1;
    }
    if (cut == 1) {
      cut = 2;
      while (write(tl__in.cut[1], "x", 1) < 0 && errno == EINTR) {}
    }
    if (!(fds[0].revents & POLLIN)) continue;
    if (read(tl__in.told[0], &what, 1) != 1) continue;
    if (what == 'c') {
      tl__in.call(tl__in.call_arg);
      tl_mutex_lock(&tl__in.mu);
      tl__in.called = 1;
      tl_cond_broadcast(&tl__in.cv);
      tl_mutex_unlock(&tl__in.mu);
      continue;
    }
    break; /* 'l' */
  }
  tl__drain(tl__in.cut[0]); /* a cut that came too late is spent */
  tl_mutex_lock(&tl__in.mu);
  line = tl__in.line;
  tl__in.line = NULL;
  if (*status == TL_INPUT_LINE && tl__in.eof) *status = TL_INPUT_EOF;
  if (*status == TL_INPUT_LINE && tl__in.was_cut) *status = TL_INPUT_EOF;
  tl_mutex_unlock(&tl__in.mu);
  return line;
}
