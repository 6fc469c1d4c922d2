/* Animated recordings: the timeline growing from the run's start to its
 * end, holding at each lesson step with its title and narration as a
 * caption, ending on the still picture (a deadlock's banner and cycle).
 * Every frame is a display list painted by the PNG painter; the last one
 * is the still PNG's pixels. GIF through giflib (256 colours a picture,
 * chosen from the still one), APNG true colour through libpng. */
#ifndef TL_ANIM_H
#define TL_ANIM_H

#include <stddef.h>

#include "display.h"
#include "layout.h"

enum tl_anim_format { TL_ANIM_GIF, TL_ANIM_APNG };

#define TL_ANIM_FPS 10       /* frames a second while the timeline grows */
#define TL_ANIM_SECONDS 10.0 /* the whole animation, steps and ending held */

typedef struct tl_anim_opts {
  double fps, seconds;
  float scale;               /* pixels per display unit (the still PNG's: 2) */
} tl_anim_opts;

/* Writes the animation of l (laid out from tr) ending on `still`, drawn
 * with the options o it was built with, to path. 0, or -1 with the path
 * and the reason in err, leaving no partial file behind. */
int tl_anim_write(const tl_trace *tr, const tl_layout *l, const tl_display *still,
                  const tl_display_opts *o, int format, const tl_anim_opts *ao,
                  const char *path, char *err, size_t errlen);

#endif
