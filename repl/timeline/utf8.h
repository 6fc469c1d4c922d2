/* The one UTF-8 decoder of the views. It is strict: an overlong form, a
 * surrogate or a code point past U+10FFFF is malformed, so hostile text
 * can never make an ill-formed label, SVG or JSON. */
#ifndef TL_UTF8_H
#define TL_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes the code point at *ps and moves *ps past it; a malformed one is
 * U+FFFD (a bad lead or continuation byte consumes one byte). */
uint32_t tl_utf8_next(const unsigned char **ps);
/* Encodes c (a valid code point) into out (room for 4); its length. */
size_t tl_utf8_put(char *out, uint32_t c);

#endif
