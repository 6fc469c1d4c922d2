/* What the fuzz targets share: a world made once (the REPL and lesson
 * targets run in it), and the entry point libFuzzer calls. Built with
 * clang -fsanitize=fuzzer by `make fuzz`; with the normal compiler and
 * replay.c by `make test`, which replays the seed corpus. */
#ifndef TL_FUZZ_H
#define TL_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* The world's Lua state (made on first use, headless, virtual clock). */
struct lua_State *tl_fuzz_world(void);

#endif
