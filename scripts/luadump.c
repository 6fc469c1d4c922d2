/* Build tool: compiles one of threadlab's Lua halves (the files in sim/lua) to
 * the bytecode the binary embeds, so that a start loads it instead of
 * parsing 220 KB of source (about 6 ms of every run, every test and every
 * spawned child). Debug information is kept: tracebacks and error
 * messages name the same file and line as the source would.
 *
 * usage: luadump CHUNKNAME IN.lua OUT.luac */
#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>

static int tl__write(lua_State *L, const void *p, size_t n, void *out) {
  (void)L;
  return fwrite(p, 1, n, out) == n ? 0 : 1;
}

int main(int argc, char **argv) {
  lua_State *L;
  FILE *out;
  int bad;
  if (argc != 4) {
    fprintf(stderr, "usage: %s CHUNKNAME IN.lua OUT.luac\n", argv[0]);
    return 2;
  }
  L = luaL_newstate();
  if (!L) return 1;
  {
    static char buf[1 << 20];
    FILE *in = fopen(argv[2], "rb");
    size_t n = in ? fread(buf, 1, sizeof buf, in) : 0;
    if (!in || !feof(in)) {
      fprintf(stderr, "%s: cannot read %s (or it is over 1 MB)\n", argv[0], argv[2]);
      return 1;
    }
    fclose(in);
    if (luaL_loadbufferx(L, buf, n, argv[1], "t") != LUA_OK) {
      fprintf(stderr, "%s\n", lua_tostring(L, -1));
      return 1;
    }
  }
  if (!(out = fopen(argv[3], "wb"))) {
    perror(argv[3]);
    return 1;
  }
  bad = lua_dump(L, tl__write, out, 0) != 0;
  bad |= fclose(out) != 0;
  if (bad) {
    fprintf(stderr, "%s: cannot write %s\n", argv[0], argv[3]);
    remove(argv[3]);
    return 1;
  }
  lua_close(L);
  return 0;
}
