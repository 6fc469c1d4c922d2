/* The live timeline window: SDL2, on a thread of its own, beside the REPL.
 *
 * The window's thread never runs Lua and never touches the engine: it reads
 * the trace (the published prefix of the shared log, lock-free) and lays it
 * out incrementally, 60 times a second. Everything else reaches it through
 * this interface, under a mutex: narration text, screenshot requests, the
 * clock's rate. Keys 1-9 go the other way, as REPL commands (":run T2")
 * the REPL polls for. */
#ifndef TL_WINDOW_H
#define TL_WINDOW_H

#include <stddef.h>

#include "trace.h"

/* Opens the window on tr. 0 when it is up; -1 with the reason in err (no
 * display, SDL failed), and then threadlab goes on headless. */
int tl_window_start(const tl_trace *tr, char *err, size_t errlen);
/* Closes it and joins its thread (nothing if it is not running). */
void tl_window_stop(void);
int tl_window_running(void);

/* How fast the trace's clock moves against the wall clock while threads
 * run (1 for the real clock, the speed of a paced virtual clock, 0 when it
 * only moves with events): the live end keeps moving at this rate, so a
 * blocked thread's bar grows even when nothing happens. */
void tl_window_set_rate(double rate);

/* Saves the window as drawn to path (PNG). Without a window, the same
 * picture is rendered offscreen from tr. 0, or -1 with a reason. */
int tl_window_screenshot(const tl_trace *tr, const char *path, char *err, size_t errlen);

/* Held around tl_trace_clear, so the window never reads a trace being
 * cleared. */
void tl_window_lock_trace(void);
void tl_window_unlock_trace(void);

/* Readable when the window asks the REPL for something (keys 1-9 in manual
 * scheduling); -1 when there is no window. tl_window_take_request copies
 * the command (":run T2") and returns 1, or returns 0. */
int tl_window_request_fd(void);
int tl_window_take_request(char *cmd, size_t n);

/* threadlab --bench-frame N (bench_frame.c): draws frames of a synthetic
 * trace of n events offscreen, prints their cost; the exit status. */
int tl_bench_frame(long n);

#endif
