/* A file built into the binary as bytes: TL_EMBED(sym, "path") defines
 * sym[] .. sym_end[] (the path is from the top of the tree). Both the
 * engine (its Lua halves) and the views (the page's script and style) use
 * it, and this folder is the one both may include. */
#ifndef TL_EMBED_H
#define TL_EMBED_H

#define TL_EMBED(sym, file)                                              \
  __asm__(".section .rodata\n.global " #sym "\n" #sym ":\n"               \
          ".incbin \"" file "\"\n.global " #sym "_end\n" #sym "_end:\n" \
          ".previous\n");                                                 \
  extern const char sym[], sym##_end[]

#endif
