/* The SVG painter: a display list as a standalone SVG file, text kept as
 * <text> (searchable, selectable, scales on slides) and hover details as
 * <title> tooltips. */
#ifndef TL_SVG_H
#define TL_SVG_H

#include <stddef.h>
#include <stdio.h>

#include "display.h"
#include "trace.h"

/* Lays out the whole trace and writes it to path, 1200 px wide and as tall
 * as its lanes need. 0 on success; -1 with a message in err (the path and
 * the reason) on failure, leaving no partial file behind. */
int tl_svg_write(const tl_trace *tr, const char *path, char *err, size_t errlen);

/* Paints a display list already built (e.g. the window's current view). */
int tl_svg_write_display(const tl_display *d, const char *path, char *err, size_t errlen);
/* The same into an open stream; 0 unless a write failed. */
int tl_svg_paint(const tl_display *d, FILE *out);
/* The <svg> element alone, for a page: with an id, each item also says
 * its lanes (data-l, and data-m for an arrow's other end). */
int tl_svg_paint_element(const tl_display *d, FILE *out, const char *id);
/* For a picture in pieces: its opening tag and title alone, then items
 * one by one (with their lanes, as in a page), each known by how far it
 * reaches across (a guess for a text, never too short). */
void tl_svg_paint_open(const tl_display *d, FILE *out, const char *id);
void tl_svg_paint_item(const tl_display *d, FILE *out, size_t i);
void tl_svg_item_span(const tl_display *d, size_t i, float *x0, float *x1);
/* Text as XML character data or an attribute value. */
void tl_svg_escape(FILE *f, const char *s);

#endif
