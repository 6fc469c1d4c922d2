local check = dofile("tests/lua/check.lua")

check.raises("ValueError", time.sleep, -1)
local t0 = time.perf_counter()
time.sleep(0.02)
check.truthy(time.perf_counter() - t0 >= 0.019, "sleep slept")
check.truthy(math.abs(time.time() - os.time()) < 2, "time.time is the wall clock")

-- error objects read like Python's
local e = RuntimeError("boom")
check.eq(e.type, "RuntimeError", "type field")
check.eq(tostring(e), "RuntimeError: boom", "tostring")
check.eq(tostring(KeyboardInterrupt()), "KeyboardInterrupt", "no message")
check.truthy(e:is(RuntimeError) and e:is(Exception) and not e:is(ValueError), "is()")
local ok, err = pcall(error, ValueError("bad"))
check.eq(ok, false, "raised")
check.eq(err.type, "ValueError", "caught object keeps its type")

-- print joins its arguments with a space, as Python does
print("go1", 0, nil, true)
print("ok")
