/* The timeline's colours, as 0xRRGGBB.
 *
 * States are picked from the Okabe-Ito and Paul Tol palettes so they stay
 * apart under the common colour-vision deficiencies; the display also gives
 * each state its own bar height, so colour is never the only cue. Thread
 * identity colours (the GIL row is painted in its holder's colour) come from
 * Tol's "muted" set, which avoids the state hues. */
#ifndef TL_THEME_H
#define TL_THEME_H

#define TL_THEME_BACKGROUND 0xFFFFFF
#define TL_THEME_TEXT 0x222222
#define TL_THEME_TEXT_MUTED 0x666666
#define TL_THEME_GRID 0xE4E4E4
#define TL_THEME_AXIS 0x777777
#define TL_THEME_ZEBRA 0xF5F6F8
#define TL_THEME_GIL_ROW 0xECECEC
#define TL_THEME_SEPARATOR 0xC8C8C8

/* Lane states (enum tl_lane_state order: none first, then these). */
#define TL_THEME_RUNNING 0x009E73  /* bluish green: holds the GIL */
#define TL_THEME_READY 0xF0B030    /* amber: wants the GIL */
#define TL_THEME_BLOCKED 0xCC3311  /* red: waits for a lock */
#define TL_THEME_SLEEPING 0x8094AA /* blue-grey */
#define TL_THEME_JOINING 0x8E6BBF  /* purple */
#define TL_THEME_IDLE 0xB8AE9C     /* taupe: blocked elsewhere (input, ...) */
#define TL_THEME_DONE 0xD6D6D6     /* light grey */
#define TL_THEME_WAITING 0x56B4E9  /* sky blue: waits on a condition, queue ... */
#define TL_THEME_EVENT 0x1F78B4    /* deep blue: waits for an event */
#define TL_THEME_NOGIL 0x8FD9B6    /* pale green: runs C code without the GIL */

/* Arrows. */
#define TL_THEME_ARROW_GIL 0x3A3A3A
#define TL_THEME_ARROW_GIL_FORCED 0xD81B60
#define TL_THEME_ARROW_LOCK 0x0072B2
#define TL_THEME_ARROW_NOTIFY 0x2C8C99 /* notify -> wake */
#define TL_THEME_ARROW_SET 0x1F78B4    /* set -> wake */
#define TL_THEME_ARROW_PUT 0x7B5EA7    /* put -> get */
#define TL_THEME_ARROW_FORK 0x555555
#define TL_THEME_ARROW_EXIT 0x999999

/* Markers. */
#define TL_THEME_MARK_PRINT 0x1F5FA8
#define TL_THEME_MARK_MARK 0x6A3D9A
#define TL_THEME_MARK_DROP_REQUEST 0xE69F00
#define TL_THEME_MARK_FAILED_WAKEUP 0xCC3311
#define TL_THEME_MARK_DEADLOCK 0xCC0000
#define TL_THEME_MARK_INTERRUPT 0xCC0000
#define TL_THEME_MARK_TRACE_FULL 0x000000
#define TL_THEME_MARK_LOST_UPDATE 0xCC3311
#define TL_THEME_MARK_STEP 0x999999

/* Deadlocks: the cycle and its banner. */
#define TL_THEME_DEADLOCK 0xD00000
#define TL_THEME_DEADLOCK_BG 0xFDECEA
/* A hang (nothing can run again, no cycle): not a deadlock, not red. */
#define TL_THEME_HANG 0xA85A00
#define TL_THEME_HANG_BG 0xFFF3E0

/* The window: the focused lane, panels, tooltips. */
#define TL_THEME_FOCUS 0xFFF4C2
#define TL_THEME_PANEL 0xFAFAFC
#define TL_THEME_PANEL_EDGE 0xB8BCC6
#define TL_THEME_TOOLTIP 0x2B2F36
#define TL_THEME_LOCK_NODE 0xF3E3B0

/* Thread identity colours, used in turn by lane order. */
#define TL_THEME_THREAD_COLOURS                                            \
  { 0x4477AA, 0xCC6677, 0x44AA99, 0xDDCC77, 0x332288, 0x88CCEE, 0x882255, \
    0x999933, 0xAA4499 }

#define TL_THEME_FONT_FAMILY \
  "DejaVu Sans, WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif"

#endif
