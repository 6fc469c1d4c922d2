-- bench echo-gevent-20k: 20,000 request/response round trips through a
-- gevent echo server (004's, with monkey.patch_all) from 10 client
-- greenlets, 2,000 each, all in one thread on loopback.
-- Python twin: echo_gevent_20k.py (Debian's python3-gevent, /usr/bin/python3).
-- Usage: threadlab --headless echo_gevent_20k.lua [N]
N = tonumber(arg and arg[1]) or 20000
CLIENTS = 10
gevent.monkey.patch_all()

function handle_request(conn)
  while true do
    local data = conn:recv(1024)
    if data == "" then conn:close() break end
    conn:send(data)
  end
end

s = socket.socket()
s:setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s:bind({"127.0.0.1", 0})
s:listen(CLIENTS)
addr = s:getsockname()

function server()
  for _ = 1, CLIENTS do gevent.spawn(handle_request, (s:accept())) end
end

function client(n)
  local c = socket.socket()
  c:connect(addr)
  local ok = 0
  for _ = 1, n do
    c:send("ping")
    if c:recv(1024) == "ping" then ok = ok + 1 end
  end
  c:close()
  return ok
end

local srv = gevent.spawn(server)
local cs = {}
for i = 1, CLIENTS do cs[i] = gevent.spawn(client, N // CLIENTS) end
gevent.joinall(cs)
local total = 0
for i = 1, CLIENTS do total = total + cs[i].value end
print("round trips:", total)
