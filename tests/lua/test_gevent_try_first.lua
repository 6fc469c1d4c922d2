-- monkey.patch_all(): a call that would not block goes straight through,
-- without a pass through the hub, as gevent's sockets try the call first
-- (checked with Debian's python3-gevent: ['sent', 'other', 'slept', 'recvd']).
local check = dofile("tests/lua/check.lua")
gevent.monkey.patch_all()
local a, b, s = check.connected_pair()
local log = {}
local function other() log[#log + 1] = "other" end
local function sender()
  gevent.spawn(other)
  a:send("x")               -- writable: no switch, other has not run yet
  log[#log + 1] = "sent"
  gevent.sleep(0.01)
  log[#log + 1] = "slept"
  check.eq(b:recv(1), "x", "the byte arrives")
  log[#log + 1] = "recvd"
end
gevent.spawn(sender):join()
check.eq(table.concat(log, " "), "sent other slept recvd", "send and recv that can go on do not switch")
-- a recv that would block still waits in the hub, and the others run
log = {}
local function reader()
  log[#log + 1] = "wait"
  local got = b:recv(1)
  log[#log + 1] = got
end
local function writer() log[#log + 1] = "write" a:send("y") end
gevent.joinall{ gevent.spawn(reader), gevent.spawn(writer) }
check.eq(table.concat(log, " "), "wait write y", "a recv with nothing to read waits")
a:close() b:close() s:close()
print("ok")
