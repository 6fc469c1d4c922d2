-- Loopback-only sockets: the calls, the address tables and the errors, as
-- CPython 3.11 gives them (each compared with python3 by hand).
local check = dofile("tests/lua/check.lua")
local AF_INET, SOCK_STREAM = socket.AF_INET, socket.SOCK_STREAM

-- bind inside the loopback succeeds; outside raises PermissionError
local srv = socket.socket(AF_INET, SOCK_STREAM)
srv:setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
check.eq(srv:getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR), 1, "SO_REUSEADDR set")
srv:bind({"127.0.0.1", 0})
local addr = srv:getsockname()
check.eq(addr[1], "127.0.0.1", "host")
check.truthy(addr[2] > 0, "the kernel picked a port")
check.eq(tostring(addr), ("('127.0.0.1', %d)"):format(addr[2]), "reads like a tuple")
for _, bad in ipairs{"0.0.0.0", "", "10.0.0.1", "8.8.8.8"} do
  local e = check.raises("PermissionError", srv.bind, socket.socket(), {bad, 0})
  check.truthy(tostring(e):find("threadlab sockets are loopback-only", 1, true), "the reason: " .. tostring(e))
  check.truthy(e:is(OSError), "a PermissionError is an OSError")
end
check.raises("PermissionError", socket.socket().connect, socket.socket(), {"1.1.1.1", 80})
check.raises("PermissionError", socket.socket(socket.AF_INET6).bind, socket.socket(socket.AF_INET6), {"::", 0})
check.eq(tostring(check.raises("OverflowError", srv.bind, socket.socket(), {"127.0.0.1", 99999})),
         "OverflowError: bind(): port must be 0-65535.", "a port out of range")
check.raises("TypeError", srv.bind, socket.socket(), "127.0.0.1:80")
check.raises("TypeError", socket.socket, {famly = AF_INET})
check.raises("ValueError", socket.socket, 12345)

-- connect to a port nobody listens on: ConnectionRefusedError
local e = check.raises("ConnectionRefusedError", socket.socket().connect, socket.socket(), addr)
check.eq(tostring(e), "ConnectionRefusedError: [Errno 111] Connection refused", "its text")

-- a server thread echoes; accept returns conn, addr
srv:listen(5)
local server = threading.Thread{target = function()
  local conn, peer = srv:accept()
  check.eq(peer[1], "127.0.0.1", "the client's host")
  while true do
    local data = conn:recv(1024)
    if data == "" then break end
    conn:sendall(data)
  end
  conn:close()
end}
server:start()
local c = socket.socket()
c:connect(addr)
check.eq(c:getpeername() == addr, true, "getpeername is the server's address")
check.truthy(tostring(c):find("raddr=('127.0.0.1', " .. addr[2] .. ")", 1, true), "repr names the peer")
check.eq(c:send("ping"), 4, "send returns the count")
check.eq(c:recv(1024), "ping", "echoed")
local big = string.rep("0123456789", 20000)
c:sendall(big)
local got = {}
local n = 0
while n < #big do
  local s = c:recv(65536)
  n = n + #s
  got[#got + 1] = s
end
check.truthy(table.concat(got) == big, "200 kB echoed intact")

-- timeouts: socket.timeout is TimeoutError, "timed out"
check.eq(socket.timeout, TimeoutError, "socket.timeout")
c:settimeout(0.05)
check.eq(c:gettimeout(), 0.05, "gettimeout")
e = check.raises("TimeoutError", c.recv, c, 10)
check.eq(tostring(e), "TimeoutError: timed out", "its text")
-- non-blocking: BlockingIOError
c:setblocking(false)
check.eq(c:getblocking(), false, "getblocking")
check.eq(c:gettimeout(), 0.0, "non-blocking is timeout 0")
check.raises("BlockingIOError", c.recv, c, 10)
c:setblocking(true)
check.eq(c:gettimeout(), nil, "blocking is timeout None")
c:shutdown(socket.SHUT_WR) -- the server reads its end of file and closes
check.eq(c:recv(10), "", "end of file after the server closed")
server:join()
-- the peer is gone: a send is BrokenPipeError or ConnectionResetError
local ok, err = pcall(function() for _ = 1, 100 do c:send("x") end end)
check.eq(ok, false, "sending to a closed peer fails")
check.truthy(err.type == "BrokenPipeError" or err.type == "ConnectionResetError", "its class: " .. tostring(err))
c:close()
c:close() -- twice is harmless
check.eq(c:fileno(), -1, "fileno after close")
check.eq(tostring(check.raises("OSError", c.send, c, "x")), "OSError: [Errno 9] Bad file descriptor", "send after close")
check.raises("AttributeError", function() return c.no_such_method end)
-- attributes beside the methods (the lookup tries the methods first)
check.eq(c.family, socket.AF_INET, "family")
check.eq(c.type, socket.SOCK_STREAM, "type")
check.eq(type(c.recv), "function", "a method")
srv:close()

-- UDP: sendto / recvfrom
local u = socket.socket(AF_INET, socket.SOCK_DGRAM)
u:bind({"127.0.0.1", 0})
local v = socket.socket{family = AF_INET, type = socket.SOCK_DGRAM}
v:sendto("hi", u:getsockname())
local data, from = u:recvfrom(10)
check.eq(data, "hi", "datagram")
check.eq(from[1], "127.0.0.1", "from the loopback")
u:close(); v:close()

-- IPv6 loopback
local s6 = socket.socket(socket.AF_INET6, SOCK_STREAM)
local ok6 = pcall(s6.bind, s6, {"::1", 0})
if ok6 then
  local a6 = s6:getsockname()
  check.eq(a6[1], "::1", "::1")
  check.eq(#a6, 4, "an AF_INET6 address has four fields, as Python's")
end
s6:close()

-- a blocking accept is interruptible by a timeout and releases the GIL
local l = socket.socket()
l:bind({"127.0.0.1", 0}); l:listen()
l:settimeout(0.05)
check.raises("TimeoutError", l.accept, l)
l:close()
print("ok")
