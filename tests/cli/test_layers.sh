# The build enforces the layers: a forbidden include, injected into a copy
# of the sources, must fail the build of that one object with a message
# naming the file. Also: where SDL headers and SVG writing may live.
. tests/cli/lib.sh
src=$PWD
cp -r Makefile sim repl assets "$T"/

# build REL: compiles one object of the copy; prints the compiler's words.
build() { make -s -C "$T" "build/layers/${1%.c}.o" BUILD=layers 2>&1; }
# inject FILE LINE: puts LINE at the top of the copy's FILE (fresh each time).
inject() { { printf '%s\n' "$2"; cat "$src/$1"; } > "$T/$1"; }
restore() { cp "$src/$1" "$T/$1"; }

# the untouched files build (so a failure below is the injected line's)
for f in sim/base.c sim/trace/trace.c repl/timeline/layout.c repl/window/view.c; do
  out=$(build $f) || fail "untouched $f does not build: $out"
done

# an allowed include injected the same way builds (the check is fair)
inject repl/window/view.c '#include <SDL.h>'
out=$(build repl/window/view.c) || fail "SDL in the window does not build: $out"
restore repl/window/view.c

forbid() { # FILE LINE WHAT
  inject "$1" "$2"
  out=$(build "$1") && fail "$3: $1 built with [$2]"
  expect_has "$out" "$1" "$3: the error names the file"
  restore "$1"
}
forbid sim/base.c '#include <SDL.h>' "sim/ without SDL"
forbid sim/gil.c '#include <SDL_ttf.h>' "sim/ without SDL_ttf"
forbid sim/trace/trace.c '#include "engine.h"' "the trace without the engine"
forbid sim/trace/trace.c '#include <lua.h>' "the trace without Lua"
forbid repl/timeline/layout.c '#include <SDL.h>' "the timeline without SDL"
forbid repl/timeline/svg.c '#include "engine.h"' "the timeline without the engine"
forbid repl/timeline/display.c '#include <lua.h>' "the timeline without Lua"
forbid repl/timeline/chrome_json.c '#include "app.h"' "the timeline without the front"
forbid repl/timeline/display.c '#include "view.h"' "the timeline without the window"
forbid repl/window/view.c '#include "engine.h"' "the window without the engine"
forbid repl/window/text.c '#include <lauxlib.h>' "the window without Lua"
# the same spelled out in full, past the include paths
forbid sim/base.c '#include <SDL2/SDL.h>' "sim/ without SDL, by its full path"
forbid sim/lock.c '#include <editline/readline.h>' "sim/ without the terminal"
forbid repl/timeline/svg.c '#include "../../sim/engine.h"' "the timeline without the engine, by path"
forbid repl/timeline/display.c '#include <lua5.4/lua.h>' "the timeline without Lua, by path"
forbid repl/timeline/layout.c '#include "../window/view.h"' "the timeline without the window, by path"
forbid repl/window/view.c '#include "../app.h"' "the window without the front, by path"
forbid sim/trace/trace.c '#include "../locks.h"' "the trace without the engine, by path"

# SDL appears only in the window and the front (whose stand-ins in
# repl/window_load.c reach the window plugin; test_window_plugin.sh); SVG is
# written only by the timeline; no view code sits in repl/ itself.
sdl=$(grep -rlE '#include <SDL' sim repl | grep -vE '^repl/(window/)?[^/]+$')
expect_eq "$sdl" "" "SDL headers outside the window and the front"
svg=$(grep -rl '<svg' sim repl | grep -v '^repl/timeline/')
expect_eq "$svg" "" "SVG written outside the timeline"
views=$(ls repl | grep -E '^(layout|display|svg|chrome_json|sdl_paint|text|png|view|window|anim|bench_frame)[._]' | grep -vx window_load.c)
expect_eq "$views" "" "view code in repl/ itself"
echo ok
