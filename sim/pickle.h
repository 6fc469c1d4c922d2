/* Serialization across processes (pickle.c): no SDL, no engine, so the
 * fuzz target can drive it alone. */
#ifndef TL_PICKLE_H
#define TL_PICKLE_H

#include <lua.h>
#include <stddef.h>

/* Pushes the pickled bytes of the value at idx and returns 0, or returns
 * -1 (a PicklingError: err names the path from root) / -2 (too deep) /
 * -4 (a RuntimeError: the object's metatable says why in __pickle_error). */
int tl_pickle_dumps(lua_State *L, int idx, const char *root, char *err, size_t errlen);
/* The same without a Lua string: *out points at the bytes in this
 * thread's buffer, good until the thread pickles again (then call
 * tl_pickle_trim); or, in a pickling inside a pickling, pushes them as a
 * string and returns 1. */
int tl_pickle_dumps_view(lua_State *L, int idx, const char *root, char *err, size_t errlen,
                         const char **out, size_t *n);
void tl_pickle_trim(void);
/* Pushes the value and returns 0, or returns -1 (corrupt data) / -3 (a
 * global name this process lacks) with err set. */
int tl_pickle_loads(lua_State *L, const char *s, size_t n, char *err, size_t errlen);

#endif
