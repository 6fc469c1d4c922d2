-- bench select-echo-20k: a select-based echo server on loopback (one
-- thread) and 10 client threads, each making N/10 request/response round
-- trips (N default 20,000). Prints the number of replies. Python twin:
-- select_echo_20k.py.
N = tonumber(arg and arg[1]) or 20000
CLIENTS = 10
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv:bind({"127.0.0.1", 0})
srv:listen(CLIENTS)
addr = srv:getsockname()

function serve()
  local watch, done = {srv}, 0
  while done < CLIENTS do
    for _, s in ipairs((select.select(watch, {}, {}))) do
      if s == srv then
        watch[#watch + 1] = (srv:accept())
      else
        local data = s:recv(64)
        if data ~= "" then
          s:sendall(data)
        else
          for k = #watch, 1, -1 do if watch[k] == s then table.remove(watch, k) end end
          s:close()
          done = done + 1
        end
      end
    end
  end
end

replies = {}
function client(i)
  local c = socket.socket()
  c:connect(addr)
  replies[i] = 0
  for _ = 1, N // CLIENTS do
    c:sendall("ping")
    replies[i] = replies[i] + #c:recv(64) // 4
  end
  c:close()
end

server = threading.Thread{target = serve}
server:start()
ts = {}
for i = 1, CLIENTS do ts[i] = threading.Thread{target = client, args = {i}}; ts[i]:start() end
for i = 1, CLIENTS do ts[i]:join() end
server:join()
srv:close()
total = 0
for i = 1, CLIENTS do total = total + replies[i] end
print(total)
