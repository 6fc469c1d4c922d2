# threadlab. `make run` and `make test` are all anyone needs; both install
# the Debian packages they need first (scripts/install-deps.sh).

CC      ?= gcc
PKGS    := lua5.4 libedit sdl2 SDL2_ttf SDL2_image fontconfig
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter -pthread \
           -Isim -Irepl -Iassets $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -pthread

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
ifeq ($(BUILD),release)
CFLAGS  += -DNDEBUG
BIN     := threadlab
else
BIN     := $(OUT)/threadlab
endif

SIM_SRC  := $(wildcard sim/*.c)
REPL_SRC := $(filter-out repl/main.c,$(wildcard repl/*.c))
LIB_OBJ  := $(patsubst %.c,$(OUT)/%.o,$(SIM_SRC) $(REPL_SRC))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRC))
LUA_SRC  := $(wildcard sim/lua/*.lua)

.PHONY: all run test check-sanitize bench deps clean units
all: $(BIN) units

units: $(UNIT_BIN)

$(BIN): $(OUT)/repl/main.o $(LIB_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(OUT)/%.o: %.c $(wildcard sim/*.h repl/*.h assets/*.h) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -c -o $@ $<

# The Lua halves are built into the binary.
$(OUT)/sim/lualib.o: $(LUA_SRC)

$(OUT)/tests/%: tests/unit/%.c tests/unit/check.h $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter-out %.h,$^) $(LDLIBS)

deps:
	@scripts/install-deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	./threadlab --lessons

test: deps
	@$(MAKE) --no-print-directory all
	@TL_BIN=./threadlab TL_UNITS=$(OUT)/tests tests/run.sh

check-sanitize: deps
	@$(MAKE) --no-print-directory BUILD=asan all
	@echo "== ASan + UBSan"
	@TL_BIN=build/asan/threadlab TL_UNITS=build/asan/tests TL_SANITIZER=asan tests/run.sh
	@$(MAKE) --no-print-directory BUILD=tsan all
	@echo "== TSan"
	@TL_BIN=build/tsan/threadlab TL_UNITS=build/tsan/tests TL_SANITIZER=tsan tests/run.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@scripts/bench.sh

clean:
	rm -rf build threadlab

-include $(shell find build -name '*.d' 2>/dev/null)
