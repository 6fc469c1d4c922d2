-- On the real clock a blocking os.read or os.write runs without the GIL,
-- as CPython's do (_Py_read and _Py_write call read(2) and write(2) inside
-- Py_BEGIN_ALLOW_THREADS): the GIL is let go once around the whole call,
-- so a reader the write wakes finds it free. (pipe-roundtrip-100k: with
-- the GIL held across the write, the woken reader preempted the writer
-- only to wait for the GIL: 5 context switches a round trip, CPython 2;
-- see scripts/bench/README.md.)
local check = dofile("tests/lua/check.lua")
lab.clock{ clock = "real" }

local r, w = os.pipe()
local N = 50
local rel0, acq0 = lab.count("gil-release"), lab.count("gil-acquire")
local w0 = lab.count("io-write")
for i = 1, N do
  check.eq(os.write(w, "ping" .. i), #("ping" .. i), "all of it written")
  check.eq(os.read(r, 64), "ping" .. i, "the bytes, in order")
end
-- each write and each read let the GIL go once; with no other thread to take it
-- meanwhile, neither the release nor the take is written (a call that did
-- not wait is no GIL event: tl__gil_release_quiet_locked)
check.eq(lab.count("gil-release") - rel0, 0, "no release nobody saw")
check.eq(lab.count("gil-acquire") - acq0, 0, "nor its take")
check.eq(lab.count("io-write") - w0, N, "one write event a write")

-- a read that must wait: still once, and the wait is drawn (io-wait, io-ready)
local wt0, rd0 = lab.count("io-wait"), lab.count("io-ready")
local t = threading.Thread{ target = function() time.sleep(0.02); os.write(w, "late") end }
t:start()
check.eq(os.read(r, 64), "late", "a read that waited")
t:join()
check.eq(lab.count("io-wait") - wt0, 1, "one wait drawn")
check.eq(lab.count("io-ready") - rd0, 1, "and its end")

-- a write larger than the pipe holds waits for the reader, and writes it all
local big = string.rep("x", 300000)
local got = {}
t = threading.Thread{ target = function()
  local n = 0
  while n < #big do local s = os.read(r, 65536); n = n + #s; got[#got + 1] = s end
end }
t:start()
check.eq(os.write(w, big), #big, "a blocking write writes it all")
t:join()
check.truthy(table.concat(got) == big, "intact")

-- a blocking read that can only fail (every byte written into the pipe in
-- this process was read) waits at once, without a read(2) first: one
-- read(2) an os.read between two threads (it was 1.6: an EAGAIN, a poll,
-- the read), and no wait drawn that did not happen
local function syscr()
  local f = io.open("/proc/self/io")
  if not f then return nil end
  local n = tonumber(f:read("a"):match("syscr: (%d+)"))
  f:close()
  return n
end
local r1, w1 = os.pipe()
local r2, w2 = os.pipe()
local M = 500
local c0, waits0, readies0 = syscr(), lab.count("io-wait"), lab.count("io-ready")
t = threading.Thread{ target = function() for _ = 1, M do os.write(w2, os.read(r1, 1)) end end }
t:start()
for _ = 1, M do os.write(w1, "x"); check.eq(os.read(r2, 1), "x", "the echo") end
t:join()
if c0 then
  local per = (syscr() - c0 - 1) / (2 * M) -- (the one read of /proc/self/io)
  check.truthy(per < 1.05, ("%.2f read(2) calls an os.read"):format(per))
else
  print("(no /proc/self/io here: read(2) calls not counted)")
end
check.eq(lab.count("io-ready") - readies0, lab.count("io-wait") - waits0, "each wait ends")
-- its end of file is read at once: the writer gone, nothing is predicted
os.close(w1)
waits0 = lab.count("io-wait")
check.eq(os.read(r1, 1), "", "end of file")
check.eq(lab.count("io-wait") - waits0, 0, "no wait drawn for it")
os.close(r1); os.close(r2); os.close(w2)

-- non-blocking descriptors keep their errors, and a closed reader is EPIPE
os.set_blocking(r, false)
check.raises("BlockingIOError", os.read, r, 10)
os.set_blocking(r, true)
os.close(r)
check.raises("BrokenPipeError", os.write, w, "x")
os.close(w)
check.raises("OSError", os.read, r, 1)
-- bytes a child process wrote (counted in its own table, not here) are
-- read at once, without a wait drawn, even after the child has gone
r, w = os.pipe()
local child = mp.Process{ target = function() os.write(w, "from the child") end }
child:start()
child:join()
waits0 = lab.count("io-wait")
check.eq(os.read(r, 64), "from the child", "the child's bytes")
check.eq(lab.count("io-wait") - waits0, 0, "no wait drawn for bytes already there")
os.close(r); os.close(w)
print("ok")
