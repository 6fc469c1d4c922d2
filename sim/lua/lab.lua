-- lab's Lua half: exploring interleavings. The mechanism (the seeded
-- scheduler, cancelling threads) is C.
local parts = ...
local lab, errors = parts.lab_core, parts.errors
lab.watch, lab.unwatch = parts.watch.watch, parts.watch.unwatch

-- lab.explore(fn, {runs=N, seed=S}) runs fn under N seeds, S, S+1, ...,
-- and returns one entry per distinct outcome, in the order first seen:
-- {value=, count=, seed=} where seed replays it (runs=1, seed=that).
-- fn starts and joins its own threads and returns the outcome; a deadlock,
-- a hang or an error is an outcome too. Besides the GIL's own switches,
-- each run switches threads at random moments (opts.preempt: the chance
-- per 10 us tick, default 0.05), where the switch points allow it: under
-- statement switch points g = g + 1 still loses nothing, as in CPython 3.10+.
function lab.explore(fn, opts)
  opts = opts or {}
  if type(fn) ~= "function" then
    error(TypeError("lab.explore needs a function, got " .. type(fn)), 2)
  end
  if type(opts) ~= "table" then errors.argerror("lab.explore", "opts", "a table", opts) end
  errors.kwargs("lab.explore", opts, "runs", "seed", "preempt")
  local runs = errors.whole("lab.explore", "runs", opts.runs or 20)
  local seed = errors.whole("lab.explore", "seed", opts.seed or 1)
  if runs < 1 then error(ValueError("runs must be a positive integer"), 2) end
  if seed < 0 then error(ValueError("lab.explore(): seed must be >= 0"), 2) end
  local saved = lab.clock()
  if saved.clock ~= "virtual" then lab.clock{clock = "virtual"} end
  lab.clock{speed = 0, preempt = opts.preempt or 0.05}
  local outcomes, by_key = {}, {}
  for i = 0, runs - 1 do
    lab.clock{seed = seed + i}
    local ok, v = pcall(fn)
    local key
    if ok then
      key = tostring(v)
    elseif type(v) == "table" and v.type == "DeadlockError" then
      key, v = "deadlock", "deadlock: " .. tostring(v.message)
    elseif type(v) == "table" and v.type == "HangError" then
      key, v = "hang", "hang: " .. tostring(v.message)
    else
      key, v = "error: " .. tostring(v), "error: " .. tostring(v)
    end
    lab._cancel_others() -- a deadlocked run leaves its threads blocked
    local o = by_key[key]
    if o then
      o.count = o.count + 1
    else
      o = { value = v, count = 1, seed = seed + i }
      by_key[key] = o
      outcomes[#outcomes + 1] = o
    end
  end
  lab.clock{speed = saved.speed, seed = saved.seed, preempt = saved.preempt}
  if saved.clock ~= "virtual" then lab.clock{clock = saved.clock} end
  return outcomes
end

-- lab.step(n): manual scheduling, the scheduler's own pick runs n statements.
function lab.step(n) return lab.run(nil, n) end

-- Prints what lab.explore returned as a table.
function lab.print_outcomes(outcomes)
  print(("%-30s %7s %8s"):format("outcome", "runs", "seed"))
  for _, o in ipairs(outcomes) do
    print(("%-30s %7d %8d"):format(tostring(o.value):sub(1, 30), o.count, o.seed))
  end
end

return lab
