/* Scripts and lessons as text, read once. A script may come from a file,
 * from "-" (standard input), /dev/stdin, a pipe (<(...)) or a FIFO: it is
 * read whole before anything decides whether it is a lesson, since a pipe
 * cannot be read twice. A FIFO that nobody writes to is waited for with a
 * word to the user, and Ctrl-C ends the wait. A compiled (binary) chunk is
 * refused: Lua does not check bytecode, and a damaged chunk crashes it. */
#include <errno.h>
#include <fcntl.h>
#include <lauxlib.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"

#define TL__MAX_SOURCE ((size_t)256 << 20)

/* Waits until a writer has written or gone, saying why after a second. */
static int tl__wait_for_writer(int fd, const char *name) {
  struct pollfd p = { fd, POLLIN, 0 };
  int said = 0, r;
  for (;;) {
    r = poll(&p, 1, said ? -1 : 1000);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -1;
    if (r > 0) return 0;
    fprintf(stderr, "threadlab: waiting for something to be written to %s (Ctrl-C to stop)\n",
            name);
    said = 1;
  }
}

char *tl_source_read(const char *path, size_t *len, char *err, size_t errlen) {
  int stdin_ = strcmp(path, "-") == 0, fd;
  const char *name = stdin_ ? "standard input" : path;
  struct stat st;
  size_t cap = 1 << 16, n = 0;
  char *buf;
  fd = stdin_ ? 0 : open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
    return NULL;
  }
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    snprintf(err, errlen, "cannot run %s: it is a folder", path);
    close(fd);
    return NULL;
  }
  /* Opened without blocking, so a FIFO with no writer did not hang the
   * open; reading it now would see its end at once: wait for a writer. */
  if (!stdin_ && S_ISFIFO(st.st_mode) && tl__wait_for_writer(fd, name) != 0) {
    snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
    close(fd);
    return NULL;
  }
  if (!stdin_) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  if (!(buf = malloc(cap))) {
    snprintf(err, errlen, "no memory to read %s", name);
    if (!stdin_) close(fd);
    return NULL;
  }
  for (;;) {
    ssize_t r;
    if (n == cap) {
      char *bigger = cap < TL__MAX_SOURCE ? realloc(buf, cap * 2) : NULL;
      if (!bigger) {
        snprintf(err, errlen, "%s is too big for a script (over %zu MiB)", name,
                 TL__MAX_SOURCE >> 20);
        free(buf);
        if (!stdin_) close(fd);
        return NULL;
      }
      buf = bigger;
      cap *= 2;
    }
    r = read(fd, buf + n, cap - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      snprintf(err, errlen, "cannot read %s: %s", name, strerror(errno));
      free(buf);
      if (!stdin_) close(fd);
      return NULL;
    }
    if (r == 0) break;
    n += (size_t)r;
  }
  if (!stdin_) close(fd);
  *len = n;
  return buf;
}

/* Past a first "#!" line, as lua.c skips it (its newline stays, so line
 * numbers hold). */
static size_t tl__skip_shebang(const char *buf, size_t len) {
  size_t i = 0;
  if (len && buf[0] == '#')
    while (i < len && buf[i] != '\n') i++;
  return i;
}

int tl_source_is_binary(const char *buf, size_t len) {
  size_t i = tl__skip_shebang(buf, len);
  while (i < len && buf[i] == '\n') i++;
  return i < len && buf[i] == LUA_SIGNATURE[0];
}

int tl_source_load(lua_State *L, const char *buf, size_t len, const char *chunkname) {
  size_t skip = tl__skip_shebang(buf, len);
  if (tl_source_is_binary(buf, len)) {
    lua_pushfstring(L, "%s is a compiled Lua chunk (bytecode); threadlab loads scripts and"
                       " lessons only as text", chunkname + 1);
    return LUA_ERRSYNTAX;
  }
  return luaL_loadbufferx(L, buf + skip, len - skip, chunkname, "t");
}

/* The first statement, past blank lines, comments and a #! line, is
 * word{...} or word(...). */
static int tl__begins_with(const char *buf, size_t len, const char *word) {
  size_t wlen = strlen(word);
  char head[8192];
  const char *s;
  int in_block = 0;
  if (len > sizeof head - 1) len = sizeof head - 1;
  memcpy(head, buf, len);
  head[len] = '\0';
  for (s = head; *s;) {
    const char *eol = strchr(s, '\n'), *t = s + strspn(s, " \t\r");
    if (in_block) {
      if (strstr(t, "]]") && (!eol || strstr(t, "]]") < eol)) in_block = 0;
    } else if (strncmp(t, "--[[", 4) == 0) {
      in_block = !(strstr(t + 4, "]]") && (!eol || strstr(t + 4, "]]") < eol));
    } else if (*t != '\n' && *t != '\0' && strncmp(t, "--", 2) != 0 && !(s == head && *t == '#')) {
      if (strncmp(t, word, wlen) != 0) return 0;
      t += wlen;
      t += strspn(t, " \t");
      return *t == '{' || *t == '(';
    }
    if (!eol) break;
    s = eol + 1;
  }
  return 0;
}

int tl_source_is_lesson(const char *buf, size_t len) { return tl__begins_with(buf, len, "lesson"); }

int tl_source_is_challenge(const char *buf, size_t len) {
  return tl__begins_with(buf, len, "challenge");
}
