/* What the front adds to the lab table: lab.screenshot(FILE) saves the
 * timeline window as drawn (offscreen when there is none). */
#include <lauxlib.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "window.h"

static int f_screenshot(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  char err[600];
  size_t n = strlen(path);
  if (n < 5 || strcasecmp(path + n - 4, ".png") != 0)
    return tl_raise(L, "ValueError", "screenshot takes a .png file name, not '%s'", path);
  if (tl_window_screenshot(tl_trace_global, path, err, sizeof err) != 0)
    return tl_raise(L, "RuntimeError", "%s", err);
  return 0;
}

void tl_front_open(lua_State *L) {
  static const luaL_Reg lib[] = {
    { "screenshot", f_screenshot },
    { NULL,         NULL         }
  };
  lua_getglobal(L, "lab");
  if (lua_istable(L, -1)) luaL_setfuncs(L, lib, 0);
  lua_pop(L, 1);
}
