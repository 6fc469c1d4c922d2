/* The live timeline window. See window.h.
 *
 * The window thread owns everything SDL: the window, its renderer, the
 * text cache and the view. It shares with the rest of threadlab only the
 * struct below (under mu) and the trace (read under trace_mu, which only
 * :reset takes, to clear the trace). */
#include "window.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <SDL.h>

#include "png.h"
#include "sdl_paint.h"
#include "text.h"
#include "view.h"

#define TL__DEFAULT_W 1280
#define TL__DEFAULT_H 760
#define TL__SHOT_WAIT_S 10
#define TL__DEFAULT_UI 1.25f /* everything a quarter bigger: it is for a class */

static struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  pthread_mutex_t trace_mu;
  pthread_t thread;
  int started;          /* the thread exists (until stop joins it) */
  int up;               /* the window is open */
  int init_done, init_rc;
  char init_err[256];
  int quit;
  const tl_trace *tr;
  double rate;
  char shot_path[1024]; /* a screenshot asked for ("" none), until done */
  int shot_done, shot_rc;
  char shot_err[512];
  int pipe[2];
  char request[64];
  float width, height;  /* the window's size, for offscreen pictures */
  float ui;
  pid_t pid;            /* the process the window belongs to (not a fork) */
} W = {.ui = TL__DEFAULT_UI,
       .mu = PTHREAD_MUTEX_INITIALIZER,
       .cv = PTHREAD_COND_INITIALIZER,
       .trace_mu = PTHREAD_MUTEX_INITIALIZER,
       .pipe = {-1, -1},
       .width = TL__DEFAULT_W,
       .height = TL__DEFAULT_H};

static uint64_t tl__monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- the interface (any thread) ---------------------------------------- */

void tl_window_lock_trace(void) { pthread_mutex_lock(&W.trace_mu); }
void tl_window_unlock_trace(void) { pthread_mutex_unlock(&W.trace_mu); }

int tl_window_running(void) {
  int up;
  pthread_mutex_lock(&W.mu);
  up = W.up && W.pid == getpid();
  pthread_mutex_unlock(&W.mu);
  return up;
}

void tl_window_set_rate(double rate) {
  pthread_mutex_lock(&W.mu);
  W.rate = rate < 0 ? 0 : rate;
  pthread_mutex_unlock(&W.mu);
}

int tl_window_request_fd(void) { return W.pipe[0]; }

int tl_window_take_request(char *cmd, size_t n) {
  char drain[64];
  int got;
  if (W.pipe[0] >= 0)
    while (read(W.pipe[0], drain, sizeof drain) > 0) {}
  pthread_mutex_lock(&W.mu);
  got = W.request[0] != '\0';
  if (got) snprintf(cmd, n, "%s", W.request);
  W.request[0] = '\0';
  pthread_mutex_unlock(&W.mu);
  return got;
}

/* ---- pictures ---------------------------------------------------------- */

/* The view on a surface of the window's size, by the software renderer. */
static SDL_Surface *tl__render_offscreen(tl_view *v, char *err, size_t errlen) {
  SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, (int)(v->width * v->ui + 0.5f),
                                                  (int)(v->height * v->ui + 0.5f), 32,
                                                  SDL_PIXELFORMAT_ARGB8888);
  SDL_Renderer *r = s ? SDL_CreateSoftwareRenderer(s) : NULL;
  tl_canvas *c = r ? tl_canvas_new(r) : NULL;
  if (!c) {
    snprintf(err, errlen, "cannot draw offscreen: %s", SDL_GetError());
    if (r) SDL_DestroyRenderer(r);
    SDL_FreeSurface(s);
    return NULL;
  }
  tl_view_paint(v, c);
  SDL_RenderPresent(r);
  tl_canvas_free(c);
  SDL_DestroyRenderer(r);
  return s;
}

int tl_window_screenshot(const tl_trace *tr, const char *path, char *err, size_t errlen) {
  tl_view v;
  SDL_Surface *s;
  char why[256];
  int rc = -1;
  struct timespec until;
  size_t n = strlen(path);
  if (n < 5 || strcasecmp(path + n - 4, ".png") != 0) {
    /* It is a picture of the window: PNG only. */
    snprintf(err, errlen, "a screenshot is a .png file, not '%s' (for SVG: :record %s)", path,
             path);
    return -1;
  }
  pthread_mutex_lock(&W.mu);
  if (W.up && W.pid == getpid()) { /* a forked child has no window thread */
    if (W.shot_path[0]) {
      pthread_mutex_unlock(&W.mu);
      snprintf(err, errlen, "another screenshot is being taken");
      return -1;
    }
    snprintf(W.shot_path, sizeof W.shot_path, "%s", path);
    W.shot_done = 0;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += TL__SHOT_WAIT_S;
    while (!W.shot_done && W.up)
      if (pthread_cond_timedwait(&W.cv, &W.mu, &until) == ETIMEDOUT) break;
    if (W.shot_done) {
      rc = W.shot_rc;
      if (rc) snprintf(err, errlen, "%s", W.shot_err);
      W.shot_path[0] = '\0';
      pthread_mutex_unlock(&W.mu);
      return rc;
    }
    W.shot_path[0] = '\0'; /* the window did not answer: draw it here */
  }
  pthread_mutex_unlock(&W.mu);
  if (tl_text_init(why, sizeof why) != 0) {
    snprintf(err, errlen, "%s: %s", path, why);
    return -1;
  }
  pthread_mutex_lock(&W.mu);
  tl_view_init(&v, W.width, W.height, W.ui);
  pthread_mutex_unlock(&W.mu);
  tl_window_lock_trace();
  tl_view_update(&v, tr, 0);
  rc = v.layout ? tl_view_build(&v) : -1;
  tl_window_unlock_trace();
  if (rc != 0) {
    snprintf(err, errlen, "%s: out of memory drawing the trace", path);
  } else if ((s = tl__render_offscreen(&v, err, errlen))) {
    rc = tl_png_save_surface(s, path, err, errlen);
    SDL_FreeSurface(s);
  } else {
    rc = -1;
  }
  tl_view_free(&v);
  return rc;
}

/* ---- the window's thread ----------------------------------------------- */

typedef struct tl__win {
  SDL_Window *win;
  SDL_Renderer *ren;
  tl_canvas *c;
  tl_view view;
  uint64_t last_t_end, t_end_wall; /* when the trace's end last moved */
  int dirty;
  int status_frames;    /* how long the status message stays */
} tl__win;

/* Whether some thread is doing or waiting for something (not idle at a
 * prompt, not ended): then the trace's clock is moving on. */
static int tl__active(const tl_layout *l) {
  size_t i;
  for (i = 0; i < l->nlanes; i++) {
    const tl_lane *ln = &l->lanes[i];
    if (ln->sm.open && ln->nseg && ln->seg[ln->nseg - 1].state != TL_STATE_IDLE &&
        ln->seg[ln->nseg - 1].state != TL_STATE_DONE)
      return 1;
  }
  return 0;
}

/* The size and scale offscreen pictures take. */
static void tl__publish_size(const tl_view *v) {
  pthread_mutex_lock(&W.mu);
  W.width = v->width * v->ui;
  W.height = v->height * v->ui;
  W.ui = v->ui;
  pthread_mutex_unlock(&W.mu);
}

static void tl__request(const char *cmd) {
  pthread_mutex_lock(&W.mu);
  snprintf(W.request, sizeof W.request, "%s", cmd);
  pthread_mutex_unlock(&W.mu);
  if (W.pipe[1] >= 0 && write(W.pipe[1], "r", 1) < 0) { /* full: one is pending anyway */ }
}

/* Asks the REPL to run thread T<tid> one statement (:run, a challenge's
 * move), and says so in the status line. */
static void tl__ask_run(tl__win *w, unsigned tid) {
  char cmd[32];
  snprintf(cmd, sizeof cmd, ":run T%u", tid);
  tl__request(cmd);
  snprintf(w->view.status, sizeof w->view.status, "asked the REPL to %s", cmd + 1);
  w->status_frames = 180;
}

static void tl__key(tl__win *w, const SDL_KeyboardEvent *k) {
  tl_view *v = &w->view;
  SDL_Keycode c = k->keysym.sym;
  if ((k->keysym.mod & KMOD_CTRL) &&
      (c == SDLK_PLUS || c == SDLK_EQUALS || c == SDLK_KP_PLUS || c == SDLK_MINUS ||
       c == SDLK_KP_MINUS || c == SDLK_0)) {
    /* Ctrl +/-/0: everything bigger or smaller, for the back of the room */
    tl_view_set_ui(v, c == SDLK_0 ? TL__DEFAULT_UI
                      : v->ui * (c == SDLK_MINUS || c == SDLK_KP_MINUS ? 1 / 1.15f : 1.15f));
    tl__publish_size(v);
  } else if (c == SDLK_f) tl_view_toggle_follow(v);
  else if (c == SDLK_SPACE) tl_view_toggle_pause(v);
  else if (c == SDLK_g) tl_view_toggle_graph(v);
  else if (c == SDLK_0 || c == SDLK_HOME || c == SDLK_KP_0) tl_view_fit(v);
  else if (c == SDLK_ESCAPE) v->focus = -1;
  else if (c == SDLK_PLUS || c == SDLK_EQUALS || c == SDLK_KP_PLUS) tl_view_zoom(v, -1, 0.7f);
  else if (c == SDLK_MINUS || c == SDLK_KP_MINUS) tl_view_zoom(v, -1, 1.0f / 0.7f);
  else if (c == SDLK_LEFT) tl_view_pan_px(v, 80);
  else if (c == SDLK_RIGHT) tl_view_pan_px(v, -80);
  else if (c == SDLK_END) v->follow = 1;
  else if (c >= SDLK_1 && c <= SDLK_9) tl__ask_run(w, (unsigned)(c - SDLK_0));
}

/* A double-click on a thread's row: one move of that thread, as its key
 * 1-9 (a single click keeps its meaning: what the row touches). */
static void tl__run_lane(tl__win *w, float y) {
  uint32_t tid = tl_view_thread_at(&w->view, y);
  if (tid) tl__ask_run(w, tid);
}

/* Handles what happened; 0 when the window was closed. */
static int tl__events(tl__win *w, int wait_ms) {
  SDL_Event e;
  tl_view *v = &w->view;
  int got = wait_ms > 0 ? SDL_WaitEventTimeout(&e, wait_ms) : SDL_PollEvent(&e);
  while (got) {
    switch (e.type) {
      case SDL_QUIT: return 0;
      case SDL_WINDOWEVENT:
        if (e.window.event == SDL_WINDOWEVENT_CLOSE) return 0;
        if (e.window.event == SDL_WINDOWEVENT_LEAVE) v->hover = 0;
        if (e.window.event == SDL_WINDOWEVENT_SIZE_CHANGED) {
          tl_view_resize(v, (float)e.window.data1, (float)e.window.data2);
          tl__publish_size(v);
        }
        break;
      case SDL_MOUSEWHEEL: {
        int mx, my;
        SDL_GetMouseState(&mx, &my);
        if (e.wheel.y) tl_view_zoom(v, (float)mx / v->ui, e.wheel.y > 0 ? 0.8f : 1.25f);
        break;
      }
      case SDL_MOUSEBUTTONDOWN:
        if (e.button.button == SDL_BUTTON_LEFT)
          tl_view_press(v, (float)e.button.x / v->ui, (float)e.button.y / v->ui);
        if (e.button.button == SDL_BUTTON_LEFT && e.button.clicks == 2)
          tl__run_lane(w, (float)e.button.y / v->ui);
        break;
      case SDL_MOUSEBUTTONUP:
        if (e.button.button == SDL_BUTTON_LEFT)
          tl_view_release(v, (float)e.button.x / v->ui, (float)e.button.y / v->ui);
        break;
      case SDL_MOUSEMOTION:
        tl_view_motion(v, (float)e.motion.x / v->ui, (float)e.motion.y / v->ui);
        break;
      case SDL_KEYDOWN: tl__key(w, &e.key); break;
      default: break;
    }
    w->dirty = 1;
    got = SDL_PollEvent(&e);
  }
  return 1;
}

/* Reads what the trace gained and where "now" is. */
static void tl__follow_trace(tl__win *w, double rate) {
  tl_view *v = &w->view;
  uint64_t now = tl__monotonic_ns(), end;
  if (tl_view_update(v, W.tr, 0)) w->dirty = 1;
  if (v->paused) return;
  if (v->layout->t_end != w->last_t_end) {
    /* New events: "now" is where they are (a stalled virtual clock must
     * not leave the view running ahead of the trace). */
    w->last_t_end = v->layout->t_end;
    w->t_end_wall = now;
    v->live_end = v->layout->t_end;
  }
  if (rate > 0 && tl__active(v->layout)) {
    end = v->layout->t_end + (uint64_t)((double)(now - w->t_end_wall) * rate);
    if (end > v->live_end) {
      v->live_end = end;
      w->dirty = 1;
    }
  }
}

static void tl__take_shot(tl__win *w, const char *path) {
  /* path is W.shot_path: it stays until the asker has its answer */
  int rc = -1;
  char err[512] = "";
  int wpx, hpx;
  SDL_Surface *s;
  SDL_GetRendererOutputSize(w->ren, &wpx, &hpx);
  s = SDL_CreateRGBSurfaceWithFormat(0, wpx, hpx, 32, SDL_PIXELFORMAT_ARGB8888);
  if (!s || SDL_RenderReadPixels(w->ren, NULL, SDL_PIXELFORMAT_ARGB8888, s->pixels, s->pitch))
    snprintf(err, sizeof err, "cannot read the window: %s", SDL_GetError());
  else
    rc = tl_png_save_surface(s, path, err, sizeof err);
  SDL_FreeSurface(s);
  pthread_mutex_lock(&W.mu);
  W.shot_rc = rc;
  snprintf(W.shot_err, sizeof W.shot_err, "%s", err);
  W.shot_done = 1;
  pthread_cond_broadcast(&W.cv);
  pthread_mutex_unlock(&W.mu);
}

static void tl__loop(tl__win *w) {
  for (;;) {
    char shot[1024];
    double rate;
    uint64_t t0 = tl__monotonic_ns();
    if (!tl__events(w, w->dirty ? 0 : 12)) break;
    pthread_mutex_lock(&W.mu);
    if (W.quit) {
      pthread_mutex_unlock(&W.mu);
      break;
    }
    rate = W.rate;
    snprintf(shot, sizeof shot, "%s", W.shot_done ? "" : W.shot_path);
    pthread_mutex_unlock(&W.mu);
    tl_window_lock_trace();
    tl__follow_trace(w, rate);
    if (w->dirty || shot[0]) tl_view_build(&w->view);
    tl_window_unlock_trace();
    if (w->dirty || shot[0]) {
      tl_view_paint(&w->view, w->c);
      tl_canvas_frame_done(w->c);
      if (shot[0]) tl__take_shot(w, shot);
      SDL_RenderPresent(w->ren);
      w->dirty = 0;
    }
    if (w->status_frames && !--w->status_frames) {
      w->view.status[0] = '\0';
      w->dirty = 1;
    }
    /* about 60 frames a second */
    if (tl__monotonic_ns() - t0 < 16000000u) SDL_Delay((Uint32)((16000000u - (tl__monotonic_ns() - t0)) / 1000000u));
  }
}

static void tl__init_done(int rc, const char *err) {
  pthread_mutex_lock(&W.mu);
  W.init_done = 1;
  W.init_rc = rc;
  W.up = rc == 0;
  snprintf(W.init_err, sizeof W.init_err, "%s", err ? err : "");
  pthread_cond_broadcast(&W.cv);
  pthread_mutex_unlock(&W.mu);
}

static void *tl__thread(void *arg) {
  tl__win w;
  char err[256];
  (void)arg;
  memset(&w, 0, sizeof w);
  SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1"); /* Ctrl-C belongs to the REPL */
  /* Software all the way: no GL driver (and its threads) in the process,
   * and the window shows exactly what the PNG recordings show. */
  if (!getenv("TL_WINDOW_GPU")) SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
  /* A display, or nothing: SDL would otherwise try the console (KMSDRM). */
  if (!getenv("SDL_VIDEODRIVER"))
    SDL_SetHint(SDL_HINT_VIDEODRIVER, getenv("WAYLAND_DISPLAY") ? "wayland,x11" : "x11");
  if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
    snprintf(err, sizeof err, "no window: %s", SDL_GetError());
    tl__init_done(-1, err);
    SDL_Quit();
    return NULL;
  }
  w.win = SDL_CreateWindow("threadlab — timeline", SDL_WINDOWPOS_UNDEFINED,
                           SDL_WINDOWPOS_UNDEFINED, TL__DEFAULT_W, TL__DEFAULT_H,
                           SDL_WINDOW_RESIZABLE);
  /* The software renderer draws exactly what the PNG recordings show. */
  w.ren = w.win ? SDL_CreateRenderer(w.win, -1, getenv("TL_WINDOW_GPU") ? 0 : SDL_RENDERER_SOFTWARE)
                : NULL;
  w.c = w.ren ? tl_canvas_new(w.ren) : NULL;
  if (!w.c || tl_text_init(err, sizeof err) != 0) {
    if (!w.c) snprintf(err, sizeof err, "no window: %s", SDL_GetError());
    tl__init_done(-1, err);
  } else {
    tl_view_init(&w.view, TL__DEFAULT_W, TL__DEFAULT_H, TL__DEFAULT_UI);
    w.dirty = 1;
    tl__init_done(0, NULL);
    tl__loop(&w);
    tl_view_free(&w.view);
  }
  pthread_mutex_lock(&W.mu);
  W.up = 0;
  pthread_cond_broadcast(&W.cv); /* a screenshot waiting will draw it itself */
  pthread_mutex_unlock(&W.mu);
  tl_canvas_free(w.c);
  if (w.ren) SDL_DestroyRenderer(w.ren);
  if (w.win) SDL_DestroyWindow(w.win);
  SDL_QuitSubSystem(SDL_INIT_VIDEO);
  SDL_Quit(); /* and what it started for video (D-Bus) */
  return NULL;
}

int tl_window_start(const tl_trace *tr, char *err, size_t errlen) {
  int rc;
  if (W.started) return 0;
  if (W.pipe[0] < 0 && pipe(W.pipe) == 0) {
    fcntl(W.pipe[0], F_SETFL, O_NONBLOCK);
    fcntl(W.pipe[1], F_SETFL, O_NONBLOCK);
    fcntl(W.pipe[0], F_SETFD, FD_CLOEXEC);
    fcntl(W.pipe[1], F_SETFD, FD_CLOEXEC);
  }
  pthread_mutex_lock(&W.mu);
  W.tr = tr;
  W.pid = getpid();
  W.quit = 0;
  W.init_done = 0;
  pthread_mutex_unlock(&W.mu);
  if (pthread_create(&W.thread, NULL, tl__thread, NULL) != 0) {
    snprintf(err, errlen, "no window: cannot start its thread");
    return -1;
  }
  W.started = 1;
  pthread_mutex_lock(&W.mu);
  while (!W.init_done) pthread_cond_wait(&W.cv, &W.mu);
  rc = W.init_rc;
  if (rc) snprintf(err, errlen, "%s", W.init_err);
  pthread_mutex_unlock(&W.mu);
  if (rc) tl_window_stop();
  return rc;
}

void tl_window_stop(void) {
  if (!W.started) return;
  pthread_mutex_lock(&W.mu);
  W.quit = 1;
  pthread_mutex_unlock(&W.mu);
  pthread_join(W.thread, NULL);
  W.started = 0;
}
