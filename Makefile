# threadlab. `make run` and `make test` are all anyone needs; both install
# the Debian packages they need first (scripts/install-deps.sh).

# make presets CC to cc, so `CC ?= gcc` would never apply; an explicit
# CC=... on the command line or in the environment still wins.
ifeq ($(origin CC),default)
CC      := gcc
endif
LUA_PKGS := lua5.4 libedit
SDL_PKGS := sdl2 SDL2_ttf SDL2_image fontconfig
LUA_CFLAGS := $(shell pkg-config --cflags $(LUA_PKGS) 2>/dev/null)
SDL_CFLAGS := $(shell pkg-config --cflags $(SDL_PKGS) 2>/dev/null)
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter \
           -Wshadow -Wmissing-prototypes -Wstrict-prototypes -pthread
# .ci/run builds with WERROR=1: a warning fails CI.
ifeq ($(WERROR),1)
CFLAGS  += -Werror
endif
# Animated recordings: giflib (no pkg-config file) and libpng, zlib for APNG;
# zlib also packs the recording page's finer pictures (repl/timeline).
ZLIB_LIBS := $(shell pkg-config --libs zlib 2>/dev/null || echo -lz)
ANIM_LIBS := -lgif $(shell pkg-config --libs libpng 2>/dev/null) $(ZLIB_LIBS)
# The binary links no SDL: the window layer is a plugin with its own libraries.
LDLIBS  += $(shell pkg-config --libs $(LUA_PKGS) 2>/dev/null) $(ZLIB_LIBS) -lm -pthread
SDL_LIBS := $(shell pkg-config --libs $(SDL_PKGS) 2>/dev/null) $(ANIM_LIBS) -lm -pthread

# BUILD selects a flavour: objects in build/$(BUILD), the binary beside them
# (the plain build's binary is ./threadlab).
BUILD   ?= release
OUT     := build/$(BUILD)
ifeq ($(BUILD),asan)
CFLAGS  += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif
ifeq ($(BUILD),tsan)
CFLAGS  += -O1 -fsanitize=thread -fno-omit-frame-pointer
LDFLAGS += -fsanitize=thread
endif
ifeq ($(BUILD),fuzz)
# make fuzz: clang, libFuzzer's coverage and ASan+UBSan in every object
CFLAGS  += -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
           -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif
ifeq ($(BUILD),release)
CFLAGS  += -DNDEBUG
BIN     := threadlab
else
BIN     := $(OUT)/threadlab
endif

# The layers, each compiled with the include paths it may use, so a
# forbidden include is a build error naming the file that has it:
#   sim/trace/      the trace and its vocabulary: plain C, nothing else
#   sim/            the engine: the trace and Lua, never SDL or a terminal
#   repl/timeline/  trace -> layout -> display list -> SVG/JSON: the trace
#                   only, and zlib (no engine, no Lua, no SDL)
#   repl/window/    the SDL painter, text, PNG, the live view: the timeline
#                   and SDL (no engine, no Lua). Built as a plugin,
#                   $(OUT)/threadlab-window.so, that the front loads on its
#                   first picture (repl/window_load.c), so a run that draws
#                   nothing maps no SDL library
#   repl/           the front: everything (the window only through the
#                   loader's stand-ins)
TRACE_INC    := -Isim/trace
SIM_INC      := -Isim $(TRACE_INC) $(LUA_CFLAGS)
TIMELINE_INC := -Irepl/timeline $(TRACE_INC) -Iassets
WINDOW_INC   := -Irepl/window $(TIMELINE_INC) $(SDL_CFLAGS)
FRONT_INC    := -Irepl $(WINDOW_INC) -Isim $(LUA_CFLAGS)

TRACE_SRC    := $(wildcard sim/trace/*.c)
SIM_SRC      := $(wildcard sim/*.c)
TIMELINE_SRC := $(wildcard repl/timeline/*.c)
WINDOW_SRC   := $(wildcard repl/window/*.c)
FRONT_SRC    := $(filter-out repl/main.c,$(wildcard repl/*.c))
obj = $(patsubst %.c,$(OUT)/%.o,$(1))
TRACE_OBJ    := $(call obj,$(TRACE_SRC))
SIM_OBJ      := $(call obj,$(SIM_SRC))
TIMELINE_OBJ := $(call obj,$(TIMELINE_SRC))
WINDOW_OBJ   := $(call obj,$(WINDOW_SRC))
FRONT_OBJ    := $(call obj,$(FRONT_SRC))
LIB_OBJ      := $(TRACE_OBJ) $(SIM_OBJ) $(TIMELINE_OBJ) $(FRONT_OBJ)
LUA_SRC      := $(wildcard sim/lua/*.lua)

# C unit tests link only the layers they test: the trace and timeline tests
# against the trace and the timeline, the window tests add the window, the
# front's tests link everything.
UNIT_SRC     := $(wildcard tests/unit/test_*.c)
WINDOW_UNITS := tests/unit/test_view.c tests/unit/test_window.c
FRONT_UNITS  := tests/unit/test_front.c tests/unit/test_clock.c
PURE_UNITS   := $(filter-out $(WINDOW_UNITS) $(FRONT_UNITS),$(UNIT_SRC))
UNIT_BIN     := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRC))

# Fuzz targets (tests/fuzz): each replays its seed corpus in `make test`
# through replay.c, built with the normal compiler; `make fuzz` builds them
# with clang and libFuzzer and runs each for FUZZ_SECONDS.
FUZZ_TARGETS := trace lesson repl pickle
FUZZ_SECONDS ?= 120
REPLAY_BIN   := $(patsubst %,$(OUT)/tests/fuzz_replay_%,$(FUZZ_TARGETS))
FUZZ_BIN     := $(patsubst %,$(OUT)/fuzz/fuzz_%,$(FUZZ_TARGETS))

# The window plugin sits with its flavour's objects; the loader finds it
# from the running binary's folder by this path (no install step). Its
# objects are position-independent; it takes the trace and the timeline
# from the binary, which exports just what the plugin's objects leave
# undefined (one copy of every global).
WINDOW_SO      := $(OUT)/threadlab-window.so
WINDOW_SO_REL  := $(patsubst $(dir $(BIN))%,%,$(WINDOW_SO))
WINDOW_EXPORTS := $(OUT)/window-exports.list

.PHONY: all run test check-sanitize check-browser bench deps clean units fuzz fuzz-run
all: $(BIN) $(WINDOW_SO) units

units: $(UNIT_BIN) $(REPLAY_BIN)

$(OUT)/tests/fuzz_replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c tests/fuzz/world.c \
    tests/fuzz/fuzz.h $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(FRONT_INC) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LDLIBS)

$(OUT)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/world.c tests/fuzz/fuzz.h $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(FRONT_INC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $(filter %.c %.o,$^) $(LDLIBS)

$(BIN): $(OUT)/repl/main.o $(LIB_OBJ) $(WINDOW_EXPORTS) | $(WINDOW_SO)
	$(CC) $(LDFLAGS) -Wl,--dynamic-list=$(WINDOW_EXPORTS) -o $@ $(filter %.o,$^) $(LDLIBS)

# -Bsymbolic: the plugin's calls to its own functions stay in it (the
# binary's stand-ins have the same names).
$(WINDOW_SO): $(WINDOW_OBJ)
	$(CC) $(LDFLAGS) -shared -Wl,-Bsymbolic -o $@ $^ $(SDL_LIBS)

# What the plugin's objects use and do not define, as a dynamic list.
$(WINDOW_EXPORTS): $(WINDOW_OBJ)
	@mkdir -p $(dir $@)
	{ echo '{'; nm $^ | awk '$$1 == "U" { u[$$2] = 1 } NF == 3 { d[$$3] = 1 } \
	  END { for (s in u) if (!(s in d)) print "  " s ";" }' | LC_ALL=C sort; echo '};'; } > $@

# Include paths stop `#include <SDL.h>`; a path spelled out in full
# (<SDL2/SDL.h>, <lua5.4/lua.h>, "../../sim/engine.h") is caught after
# the compile, in the headers -MD recorded: what each layer may not see.
NO_SDL       := /SDL2/|/editline/|/readline/
NO_LUA       := /lua5\.4/
NO_ENGINE    := (^|[ /])sim/[a-z_]+\.h
$(TRACE_OBJ):    LAYER_INC := $(TRACE_INC)
$(TRACE_OBJ):    LAYER_FORBID := $(NO_SDL)|$(NO_LUA)|$(NO_ENGINE)|(^|[ /])repl/
$(SIM_OBJ):      LAYER_INC := $(SIM_INC)
$(SIM_OBJ):      LAYER_FORBID := $(NO_SDL)|(^|[ /])repl/
$(TIMELINE_OBJ): LAYER_INC := $(TIMELINE_INC)
$(TIMELINE_OBJ): LAYER_FORBID := $(NO_SDL)|$(NO_LUA)|$(NO_ENGINE)|(^|[ /])repl/(window/)?[a-z_]+\.h
$(WINDOW_OBJ):   LAYER_INC := $(WINDOW_INC)
$(WINDOW_OBJ):   LAYER_FORBID := $(NO_LUA)|$(NO_ENGINE)|(^|[ /])repl/[a-z_]+\.h
$(FRONT_OBJ) $(OUT)/repl/main.o: LAYER_INC := $(FRONT_INC)
$(WINDOW_OBJ):   OBJ_FLAGS := -fPIC
$(OUT)/repl/window_load.o: OBJ_FLAGS := -DTL_WINDOW_SO='"$(WINDOW_SO_REL)"'

# -MD records the headers each object really includes (read back below,
# and checked against its layer); -MP lets a moved or deleted header
# leave an old build folder buildable.
$(OUT)/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(OBJ_FLAGS) $(LAYER_INC) -MD -MP -c -o $@ $<
	@if [ -n '$(LAYER_FORBID)' ] && bad=$$(tr -d '\\' < $(@:.o=.d) | tr ' ' '\n' | sed 's/:$$//' | \
	    grep -E '$(LAYER_FORBID)' | head -n 1) && [ -n "$$bad" ]; then \
	  echo "$<: error: includes $$bad, which its layer may not see (README: Layout)" >&2; \
	  rm -f $@; exit 1; fi

# The Lua halves are built into the binary, compiled to bytecode (a start
# then skips parsing them) by a tool built for the build machine.
LUADUMP      := $(OUT)/tools/luadump
LUAC_DIR     := $(OUT)/lua
LUAC         := $(patsubst sim/lua/%.lua,$(LUAC_DIR)/%.luac,$(LUA_SRC))
$(LUADUMP): scripts/luadump.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra $(filter -Werror,$(CFLAGS)) $(LUA_CFLAGS) -o $@ $< $(shell pkg-config --libs lua5.4 2>/dev/null)
$(LUAC_DIR)/%.luac: sim/lua/%.lua $(LUADUMP)
	@mkdir -p $(dir $@)
	$(LUADUMP) =$(notdir $<) $< $@
$(OUT)/sim/lualib.o: $(LUAC)
$(OUT)/sim/lualib.o: CFLAGS += -DTL_LUAC_DIR='"$(LUAC_DIR)"'
# The recording page's script and style are built into the binary too.
$(OUT)/repl/timeline/html.o: repl/timeline/html.js repl/timeline/html.css

$(patsubst tests/unit/%.c,$(OUT)/tests/%,$(PURE_UNITS)): $(OUT)/tests/%: \
    tests/unit/%.c tests/unit/check.h $(TRACE_OBJ) $(TIMELINE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TIMELINE_INC) $(LDFLAGS) -o $@ $(filter-out %.h,$^) $(ZLIB_LIBS) -lm -pthread

$(patsubst tests/unit/%.c,$(OUT)/tests/%,$(WINDOW_UNITS)): $(OUT)/tests/%: \
    tests/unit/%.c tests/unit/check.h $(TRACE_OBJ) $(TIMELINE_OBJ) $(WINDOW_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WINDOW_INC) $(LDFLAGS) -o $@ $(filter-out %.h,$^) $(SDL_LIBS)

$(patsubst tests/unit/%.c,$(OUT)/tests/%,$(FRONT_UNITS)): $(OUT)/tests/%: \
    tests/unit/%.c tests/unit/check.h $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(FRONT_INC) $(LDFLAGS) -o $@ $(filter-out %.h,$^) $(LDLIBS)

deps:
	@scripts/install-deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	./threadlab --lessons

test: deps
	@$(MAKE) --no-print-directory all
	@TL_BIN=./$(BIN) TL_UNITS=$(OUT)/tests TL_SANITIZER=$(filter asan tsan,$(BUILD)) tests/run.sh

check-sanitize: deps
	@$(MAKE) --no-print-directory BUILD=asan all
	@echo "== ASan + UBSan"
	@TL_BIN=build/asan/threadlab TL_UNITS=build/asan/tests TL_SANITIZER=asan tests/run.sh
	@$(MAKE) --no-print-directory BUILD=tsan all
	@echo "== TSan"
	@TL_BIN=build/tsan/threadlab TL_UNITS=build/tsan/tests TL_SANITIZER=tsan tests/run.sh

# Every lesson's HTML recording in headless Chromium (installs Debian's
# chromium and puppeteer-core; `make test` needs neither).
check-browser: deps
	@$(MAKE) --no-print-directory all
	@TL_BIN=./$(BIN) scripts/check-browser.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@scripts/bench.sh

fuzz: deps
	@scripts/install-deps.sh fuzz
	@$(MAKE) --no-print-directory BUILD=fuzz CC=clang fuzz-run

# Each target runs FUZZ_SECONDS on a copy of its seeds (new inputs land in
# build/fuzz/corpus, crashes in build/fuzz/crash-*); a crash fails.
fuzz-run: $(FUZZ_BIN)
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(OUT)/corpus/$$t; \
	  echo "== fuzz $$t for $(FUZZ_SECONDS) s"; \
	  ASAN_OPTIONS=detect_leaks=0 $(OUT)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
	    -max_len=4096 -timeout=20 -rss_limit_mb=3072 -print_final_stats=1 \
	    -artifact_prefix=$(OUT)/ $(OUT)/corpus/$$t tests/fuzz/corpus/$$t || exit 1; \
	done

clean:
	rm -rf build threadlab

-include $(shell find build -name '*.d' 2>/dev/null)
