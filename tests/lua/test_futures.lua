-- concurrent.futures on threads and on processes, as CPython 3.11's.
local check = dofile("tests/lua/check.lua")
local cf = concurrent.futures

function square(x) return x * x end
function fail(x) error(ValueError("no " .. x)) end
function pid_of() return os.getpid() end

for _, make in ipairs{ cf.ThreadPoolExecutor, cf.ProcessPoolExecutor } do
  local ex = make{ max_workers = 2 }
  local f = ex:submit(square, 7)
  check.eq(f:result(5), 49, "submit/result")
  check.eq(f:done(), true, "done")
  local called
  f:add_done_callback(function(g) called = g:result() end)
  check.eq(called, 49, "add_done_callback on a done future runs at once")
  local bad = ex:submit(fail, 3)
  local e = check.raises("ValueError", bad.result, bad)
  check.eq(tostring(e), "ValueError: no 3", "result() re-raises the error")
  check.eq(tostring(bad:exception()), "ValueError: no 3", "exception()")
  local out = {}
  for v in ex:map(square, { 1, 2, 3, 4 }) do out[#out + 1] = v end
  check.eq(table.concat(out, ","), "1,4,9,16", "map in order")
  local fs, seen = {}, 0
  for i = 1, 5 do fs[i] = ex:submit(square, i) end
  for g in cf.as_completed(fs) do seen = seen + g:result() end
  check.eq(seen, 55, "as_completed yields every future")
  ex:shutdown()
  check.raises("RuntimeError", ex.submit, ex, square, 1)
end

local pe = cf.ProcessPoolExecutor(2)
check.truthy(pe:submit(pid_of):result() ~= os.getpid(), "ProcessPoolExecutor runs in another process")
pe:shutdown()
check.raises("ValueError", cf.ThreadPoolExecutor, 0)
check.raises("TypeError", cf.ThreadPoolExecutor, { workers = 2 })
local r = cf.ThreadPoolExecutor(2):with(function(ex) return ex:submit(square, 5):result() end)
check.eq(r, 25, "with")
print("ok")
