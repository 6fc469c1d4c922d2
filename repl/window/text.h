/* Text for the SDL painter: fonts found through fontconfig (DejaVu Sans,
 * and a CJK font for Chinese), chosen per glyph, rendered with SDL2_ttf.
 *
 * A tl_text belongs to one SDL_Renderer and keeps the strings it drew as
 * textures, so a window redrawing the same labels 60 times a second renders
 * each only once. The fonts themselves are shared by every tl_text (and
 * every thread); the FreeType calls are serialised inside. */
#ifndef TL_TEXT_H
#define TL_TEXT_H

#include <stdint.h>

#include <SDL.h>

typedef struct tl_text tl_text;

/* Finds and opens the fonts once. 0 when a Latin font was found; -1 with
 * a reason in err otherwise (then no text can be drawn). */
int tl_text_init(char *err, size_t errlen);
/* Which font files are used (for messages and tests); "" if none. */
const char *tl_text_font_file(int cjk);

/* Closes the fonts and lets fontconfig go, at exit (no tl_text may be in
 * use, nor made after). */
void tl_text_shutdown(void);

tl_text *tl_text_new(SDL_Renderer *r);
void tl_text_free(tl_text *tx);

/* Draws s (UTF-8) with its baseline at y; anchor as in display.h
 * (0 start, 1 middle, 2 end). size is in pixels. */
void tl_text_draw(tl_text *tx, const char *s, float size, int bold, uint32_t rgba, float x,
                  float y, int anchor);
/* The width s would take, in pixels. */
float tl_text_width(tl_text *tx, const char *s, float size, int bold);
/* Forgets textures not drawn for a while; call once per frame. */
void tl_text_frame_done(tl_text *tx);

#endif
