-- On the real clock a blocking recv or sendall runs without the GIL, as
-- CPython's socket calls run inside Py_BEGIN_ALLOW_THREADS: the GIL is let
-- go once around the whole call (its attempts and its waits alike), so a
-- thread the call wakes finds the GIL free. (select-echo-20k: with the GIL
-- held across sendall, the woken reader preempted the sender only to wait
-- for the GIL; see scripts/bench/README.md.)
local check = dofile("tests/lua/check.lua")
lab.clock{ clock = "real" }

local c, s, l = check.connected_pair()

local N = 50
local rel0, acq0 = lab.count("gil-release"), lab.count("gil-acquire")
for i = 1, N do
  c:sendall("ping" .. i)
  check.eq(s:recv(64), "ping" .. i, "the bytes, in order")
end
-- each sendall and each recv let the GIL go once; with no other thread to take it
-- meanwhile, neither the release nor the take is written (a call that did
-- not wait is no GIL event: tl__gil_release_quiet_locked)
check.eq(lab.count("gil-release") - rel0, 0, "no release nobody saw")
check.eq(lab.count("gil-acquire") - acq0, 0, "nor its take")

-- a recv that must wait: still once, and the wait is drawn (io-wait, io-ready)
local w0, r0 = lab.count("io-wait"), lab.count("io-ready")
local t = threading.Thread{ target = function() time.sleep(0.02); s:sendall("late") end }
t:start()
check.eq(c:recv(64), "late", "a recv that waited")
t:join()
check.eq(lab.count("io-wait") - w0, 1, "one wait drawn")
check.eq(lab.count("io-ready") - r0, 1, "and its end")

-- a shutdown for writing is an end of file to read at once (the reader
-- knows every byte sent was read, but not to wait: tl_io_note_eof)
local c2, s2, l2 = check.connected_pair()
c2:sendall("last")
check.eq(s2:recv(64), "last", "the last bytes")
c2:shutdown(socket.SHUT_WR)
w0 = lab.count("io-wait")
check.eq(s2:recv(64), "", "then the end of file")
check.eq(lab.count("io-wait") - w0, 0, "no wait drawn for it")
c2:close(); s2:close(); l2:close()

-- timeouts and non-blocking calls keep their errors
c:settimeout(0.05)
check.raises("TimeoutError", c.recv, c, 10)
c:setblocking(false)
check.raises("BlockingIOError", c.recv, c, 10)
c:setblocking(true)
s:close()
check.eq(c:recv(10), "", "end of file")
c:close()
l:close()
print("ok")
