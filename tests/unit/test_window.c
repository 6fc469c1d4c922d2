/* The window's thread through its interface, under a virtual X server
 * (the test runs itself again under xvfb-run when there is no display):
 * it opens, keys 1-9 become REPL requests on the pipe, narration and a
 * screenshot go through, a trace cleared under it starts its layout over,
 * and it closes. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <SDL.h>

#include "text.h"
#include "window.h"

#include "check.h"

static void key(SDL_Keycode sym) {
  SDL_Event e;
  memset(&e, 0, sizeof e);
  e.type = SDL_KEYDOWN;
  e.key.state = SDL_PRESSED;
  e.key.keysym.sym = sym;
  CHECK(SDL_PushEvent(&e) == 1);
}

static int wait_request(char *cmd, size_t n) {
  struct pollfd p;
  p.fd = tl_window_request_fd();
  p.events = POLLIN;
  if (p.fd < 0 || poll(&p, 1, 5000) != 1) return 0;
  return tl_window_take_request(cmd, n);
}

static void test_window_thread(void) {
  tl_trace *tr;
  char err[600], cmd[64], shot[512];
  int i;
  tr = tl_trace_create(1 << 16, 1 << 16);
  for (i = 0; i < 200; i++)
    tl_trace_emit(tr, (uint64_t)i * 1000, 1, 1 + (uint32_t)(i % 3),
                  i % 2 ? TL_EV_GIL_RELEASE : TL_EV_GIL_ACQUIRE, TL_GIL_BLOCKING, 0, 0);
  CHECK(tl_window_start(tr, err, sizeof err) == 0);
  if (failures) {
    printf("window: %s\n", err);
    return;
  }
  CHECK(tl_window_running());
  tl_window_set_rate(1);
  tl_trace_emit(tr, 1, 1, 1, TL_EV_LESSON_STEP, TL_LESSON_NARRATE, 0,
                tl_trace_str(tr, "讲解 narration", strlen("讲解 narration")));
  key(SDLK_3);
  CHECK(wait_request(cmd, sizeof cmd) && strcmp(cmd, ":run T3") == 0);
  key(SDLK_g);
  key(SDLK_SPACE);
  key(SDLK_SPACE);
  key(SDLK_PLUS);
  key(SDLK_0);
  snprintf(shot, sizeof shot, "%s/threadlab-test-window-%ld.png",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
  CHECK(tl_window_screenshot(tr, shot, err, sizeof err) == 0);
  {
    FILE *f = fopen(shot, "rb");
    unsigned char sig[8] = {0};
    CHECK(f && fread(sig, 1, 8, f) == 8 && memcmp(sig, "\x89PNG\r\n\x1a\n", 8) == 0);
    if (f) fclose(f);
    remove(shot);
  }
  CHECK(tl_window_screenshot(tr, "/nonexistent/x.png", err, sizeof err) == -1 &&
        strstr(err, "/nonexistent/x.png"));
  /* :reset clears the trace under the window's feet. */
  tl_window_lock_trace();
  tl_trace_clear(tr);
  tl_window_unlock_trace();
  tl_trace_emit(tr, 5, 1, 1, TL_EV_GIL_ACQUIRE, 0, 0, 0);
  SDL_Delay(100);
  CHECK(tl_window_running());
  tl_window_stop();
  CHECK(!tl_window_running());
  CHECK(!tl_window_take_request(cmd, sizeof cmd));
  /* Closed: a screenshot is drawn offscreen. */
  snprintf(shot, sizeof shot, "%s/threadlab-test-window2-%ld.png",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
  CHECK(tl_window_screenshot(tr, shot, err, sizeof err) == 0);
  remove(shot);
  /* --view: a saved trace, loaded, in the window, narration and all */
  {
    char path[512];
    tl_trace *back;
    snprintf(path, sizeof path, "%s/threadlab-test-view-%ld.trace",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
    tl_trace_emit(tr, 10, 1, 1, TL_EV_THREAD_NEW, 0, 1, tl_trace_str(tr, "MainThread", 10));
    tl_trace_emit(tr, 20, 1, 1, TL_EV_LESSON_STEP, TL_LESSON_SAY, 1,
                  tl_trace_str(tr, "saved narration", 15));
    tl_trace_emit(tr, 30, 1, 1, TL_EV_LESSON_STEP, TL_LESSON_STEP, 1,
                  tl_trace_str(tr, "a saved step", 12));
    tl_trace_emit(tr, 4000, 1, 1, TL_EV_GIL_RELEASE, TL_GIL_BLOCKING, 0, 0);
    CHECK(tl_trace_save(tr, path, err, sizeof err) == 0);
    back = tl_trace_load(path, 0, 0, 0, err, sizeof err);
    CHECK(back != NULL && tl_trace_loaded(back) && !tl_trace_loaded(tr));
    if (back) {
      CHECK(tl_window_start(back, err, sizeof err) == 0);
      snprintf(shot, sizeof shot, "%s/threadlab-test-view-%ld.png",
               getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
      SDL_Delay(100);
      CHECK(tl_window_screenshot(back, shot, err, sizeof err) == 0);
      if (!getenv("TL_TEST_KEEP")) remove(shot);
      tl_window_stop();
      tl_trace_destroy(back);
    }
    remove(path);
  }
  tl_text_shutdown();
  tl_trace_destroy(tr);
}

int main(int argc, char **argv) {
  static const tl_test tests[] = {TL_TEST(test_window_thread), {NULL, NULL}};
  if (!getenv("DISPLAY") && !(argc > 1 && strcmp(argv[1], "--list") == 0)) {
    /* no display: run again under a virtual one */
    char from[16]; /* where -a starts looking: apart from other runs */
    char **args = calloc((size_t)argc + 5, sizeof *args);
    int i;
    snprintf(from, sizeof from, "%d", 100 + (int)(getpid() % 800));
    args[0] = "xvfb-run", args[1] = "-a", args[2] = "-n", args[3] = from;
    for (i = 0; i < argc; i++) args[4 + i] = argv[i];
    execvp("xvfb-run", args);
    printf("test_window: xvfb-run is missing (scripts/install-deps.sh installs xvfb)\n");
    return 1;
  }
  return tl_test_main(tests, argc, argv);
}
