#include "utf8.h"

uint32_t tl_utf8_next(const unsigned char **ps) {
  const unsigned char *s = *ps;
  uint32_t c = s[0], min;
  int n, i;
  if (c < 0x80) { *ps = s + 1; return c; }
  if ((c & 0xE0) == 0xC0) { n = 1; c &= 0x1F; min = 0x80; }
  else if ((c & 0xF0) == 0xE0) { n = 2; c &= 0x0F; min = 0x800; }
  else if ((c & 0xF8) == 0xF0) { n = 3; c &= 0x07; min = 0x10000; }
  else { *ps = s + 1; return 0xFFFD; }
  for (i = 1; i <= n; i++) {
    if ((s[i] & 0xC0) != 0x80) { *ps = s + 1; return 0xFFFD; }
    c = c << 6 | (s[i] & 0x3F);
  }
  *ps = s + n + 1;
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0xFFFD;
  return c;
}

size_t tl_utf8_put(char *out, uint32_t c) {
  if (c < 0x80) { out[0] = (char)c; return 1; }
  if (c < 0x800) { out[0] = (char)(0xC0 | c >> 6); out[1] = (char)(0x80 | (c & 0x3F)); return 2; }
  if (c < 0x10000) {
    out[0] = (char)(0xE0 | c >> 12); out[1] = (char)(0x80 | (c >> 6 & 0x3F));
    out[2] = (char)(0x80 | (c & 0x3F)); return 3;
  }
  out[0] = (char)(0xF0 | c >> 18); out[1] = (char)(0x80 | (c >> 12 & 0x3F));
  out[2] = (char)(0x80 | (c >> 6 & 0x3F)); out[3] = (char)(0x80 | (c & 0x3F));
  return 4;
}
