/* The fuzz targets' world: one, made on first use, kept for every input
 * (a world per input would cost more than the input). Output goes to
 * /dev/null: a target checks that nothing crashes, not what is printed. */
#include "fuzz.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "engine.h"

lua_State *tl_fuzz_world(void) {
  static int made;
  tl_config cfg;
  if (made) return tl_W->L;
  made = 1;
  if (!freopen("/dev/null", "w", stdout)) return NULL;
  memset(&cfg, 0, sizeof cfg);
  cfg.policy = TL_POLICY_PY3;
  cfg.switch_points = TL_SWITCH_STATEMENT;
  cfg.switch_interval_ns = 5000000;
  cfg.check_interval = 100;
  cfg.clock = TL_CLOCK_REAL; /* no count hook: the lesson target sets its own */
  cfg.seed = 1;
  cfg.speed = 0;
  cfg.cores = 2;
  cfg.instr_ns = 10;
  cfg.memory_limit = (size_t)256 << 20;
  tl_trace_global = tl_trace_create(1 << 16, 1 << 20);
  tl_gil_install_signal();
  if (!tl_world_create(&cfg) || tl_open_all(tl_W->L) != 0) return NULL;
  tl_front_open(tl_W->L);
  return tl_W->L;
}
