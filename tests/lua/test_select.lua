-- select.select, select.poll and select.epoll over pipes and sockets; LT
-- vs ET as on Linux (each compared with python3 by hand).
local check = dofile("tests/lua/check.lua")

check.eq(select("#", "a", "b"), 2, "the builtin is still there")

-- select.select: three lists of the objects given, readiness as the kernel says
local r, w = os.pipe()
local rl, wl, xl = select.select({r}, {w}, {}, 0)
check.eq(#rl, 0, "nothing to read yet")
check.eq(wl[1], w, "the write end is writable")
check.eq(#xl, 0, "no exceptional condition")
rl = select.select({r}, {}, {}, 0.05)
check.eq(#rl, 0, "a timeout: empty lists")
os.write(w, "x")
rl = select.select({r}, {}, {}, nil)
check.eq(rl[1], r, "readable after a write")
check.raises("TypeError", select.select, {"x"}, {}, {}, 0)
check.raises("ValueError", select.select, {-1}, {}, {}, 0)
check.raises("ValueError", select.select, {}, {}, {}, -1)
-- a list's length is taken once: a __len that grows after it was asked
-- once cannot make select write past what it counted (it crashed)
local asked = 0
local growing = setmetatable({}, {__len = function() asked = asked + 1; return asked == 1 and 1 or 200 end,
                                  __index = function() return w end})
local _, wl1 = select.select({}, growing, {}, 0)
check.eq(#wl1, 1, "one entry, as counted")
-- at most FD_SETSIZE (1024) a list, as python3's select
local many = {}
for i = 1, 1024 do many[i] = w end
local _, wl2 = select.select({}, many, {}, 0)
check.eq(#wl2, 1024, "1024 entries")
many[1025] = w
check.eq(tostring(check.raises("ValueError", select.select, {}, many, {}, 0)),
         "ValueError: too many file descriptors in select()", "1025 entries")

-- a select wait releases the GIL and is woken by another thread's write
local r2, w2 = os.pipe()
local t = threading.Thread{target = function() time.sleep(0.02); os.write(w2, "late") end}
t:start()
check.eq(os.read(r, 1), "x", "drained")
rl = select.select({r, r2}, {}, {}, 5)
check.eq(#rl, 1, "one readable")
check.eq(rl[1], r2, "the one the thread wrote to")
t:join()

-- poll: register/modify/unregister; poll(ms) returns {fd, events} pairs
local p = select.poll()
p:register(r2, select.POLLIN)
local ev = p:poll(0)
check.eq(#ev, 1, "one ready")
check.eq(ev[1][1], r2, "its fd")
check.eq(ev[1][2] & select.POLLIN, select.POLLIN, "POLLIN")
os.read(r2, 100)
check.eq(#p:poll(10), 0, "drained: nothing after 10 ms")
p:modify(r2, select.POLLOUT)
check.eq(#p:poll(0), 0, "a read end is never writable")
p:register(w2) -- default mask POLLIN|POLLPRI|POLLOUT
ev = p:poll(0)
check.eq(#ev, 1, "the write end is")
check.eq(ev[1][1], w2, "w2")
p:unregister(r2)
check.eq(tostring(check.raises("KeyError", p.unregister, p, r2)), "KeyError: " .. r2, "unregister twice")
check.eq(tostring(check.raises("FileNotFoundError", p.modify, p, r2, 1)),
         "FileNotFoundError: [Errno 2] No such file or directory", "modify unknown")

-- epoll LT vs ET: write 10, read 5; the second poll(0.1) sees the pipe
-- again under LT, not under ET (no new edge)
for _, mode in ipairs{"LT", "ET"} do
  local ep = select.epoll()
  local pr, pw = os.pipe()
  ep:register(pr, select.EPOLLIN | (mode == "ET" and select.EPOLLET or 0))
  os.write(pw, "0123456789")
  local first = ep:poll(0.1)
  check.eq(#first, 1, mode .. ": first poll")
  check.eq(first[1][1], pr, mode .. ": the pipe")
  check.eq(#os.read(pr, 5), 5, "read 5")
  local second = ep:poll(0.1)
  check.eq(#second, mode == "LT" and 1 or 0, mode .. ": second poll")
  os.write(pw, "!") -- a new edge
  check.eq(#ep:poll(0.1), 1, mode .. ": after a new write")
  check.eq(tostring(check.raises("FileExistsError", ep.register, ep, pr)),
           "FileExistsError: [Errno 17] File exists", "register twice")
  ep:unregister(pr)
  check.raises("FileNotFoundError", ep.unregister, ep, pr)
  check.eq(ep.closed, false, "open")
  ep:close()
  check.eq(ep.closed, true, "closed")
  check.raises("ValueError", ep.poll, ep, 0)
  os.close(pr); os.close(pw)
end

-- sockets in select and epoll (objects with fileno, and their integers)
local srv = socket.socket()
srv:bind({"127.0.0.1", 0}); srv:listen()
local c = socket.socket()
c:connect(srv:getsockname())
rl = select.select({srv}, {}, {}, 1)
check.eq(rl[1], srv, "a listening socket is readable when a client waits")
local conn = srv:accept()
local ep = select.epoll()
ep:register(conn:fileno(), select.EPOLLIN)
check.eq(#ep:poll(0), 0, "nothing sent yet")
c:send("hello")
ev = ep:poll(1)
check.eq(ev[1][1], conn:fileno(), "the connection")
check.eq(conn:recv(10), "hello", "the data")
-- a socket's descriptor is read without its fileno() (a table's is called);
-- a closed one is -1 there, as in python3
local byname = {fileno = function() return conn:fileno() end}
c:send("again")
rl = select.select({byname, conn}, {}, {}, 1)
check.eq(#rl, 2, "the socket and the object naming it")
check.eq(rl[1], byname, "the object with fileno()")
check.eq(rl[2], conn, "the socket")
local gone = socket.socket()
gone:close()
check.eq(tostring(check.raises("ValueError", select.select, {gone}, {}, {}, 0)),
         "ValueError: file descriptor cannot be a negative integer (-1)", "a closed socket")
ep:close(); c:close(); conn:close(); srv:close()
os.close(r); os.close(w); os.close(r2); os.close(w2)
print("ok")
