-- Helpers for the behaviour tests of the primitives, after CPython's
-- lock_tests.py: a bunch of threads running the same function, and polling
-- waits that never depend on how fast a loaded machine is.
local H = {}

-- A short pause that lets other threads run.
function H.pause() time.sleep(0.01) end

-- Waits until fn() is true (for at most 10 s, then fails).
function H.wait_until(fn, what)
  local deadline = time.monotonic() + 10
  while not fn() do
    if time.monotonic() > deadline then error("timed out waiting for " .. (what or "a condition"), 2) end
    time.sleep(0.002)
  end
end

local Bunch = {}
Bunch.__index = Bunch

-- n threads running f(i); with wait_before_exit they end only after
-- do_finish(). An error in f fails wait_for_finished.
function H.bunch(f, n, wait_before_exit)
  local b = setmetatable({ started = 0, finished = 0, can_exit = not wait_before_exit,
                           threads = {}, errors = {} }, Bunch)
  for i = 1, n do
    local t = threading.Thread{target = function()
      b.started = b.started + 1
      local ok, e = pcall(f, i)
      if not ok then b.errors[#b.errors + 1] = e end
      b.finished = b.finished + 1
      while not b.can_exit do H.pause() end
    end}
    b.threads[i] = t
    t:start()
  end
  return b
end

function Bunch:wait_for_started()
  H.wait_until(function() return self.started == #self.threads end, "threads to start")
end

function Bunch:wait_for_finished()
  for _, t in ipairs(self.threads) do t:join() end
  if #self.errors > 0 then error("in a thread: " .. tostring(self.errors[1]), 2) end
end

function Bunch:do_finish() self.can_exit = true end

-- Runs fn(...) and returns how long it took on the world's clock, and its
-- results.
function H.timed(fn, ...)
  local t0 = time.monotonic()
  local r = table.pack(fn(...))
  return time.monotonic() - t0, table.unpack(r, 1, r.n)
end

-- "At least the timeout elapsed" (a hair of float rounding allowed).
function H.at_least(dt, timeout, what)
  if dt < timeout - 1e-3 then
    error(("%s: waited %.4f s, less than the timeout %.4f s"):format(what or "wait", dt, timeout), 2)
  end
end

function H.sorted(t)
  local c = table.move(t, 1, #t, 1, {})
  table.sort(c, function(a, b)
    if type(a) == "number" and type(b) == "number" then return a < b end
    return tostring(a) < tostring(b)
  end)
  for i = 1, #c do c[i] = tostring(c[i]) end
  return table.concat(c, ",")
end

return H
