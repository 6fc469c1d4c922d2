-- asyncio.open_connection / start_server on loopback (the shape of the
-- asyncio streams echo example, checked against python3).
local check = dofile("tests/lua/check.lua")
lab.clock{clock = "virtual", speed = 0}

check.raises("RuntimeError", asyncio.open_connection, "127.0.0.1", 1)

local served, most, live = 0, 0, 0
local function handle(reader, writer)
  live = live + 1 most = math.max(most, live)
  while true do
    local line = reader:readline()
    if line == "" then break end
    writer:write(line:upper())
    writer:drain()
  end
  writer:close()
  live = live - 1
  served = served + 1
end

local got = asyncio.run(function()
  local srv = asyncio.start_server(handle, "127.0.0.1", 0)
  check.eq(srv:is_serving(), true, "serving")
  local addr = srv.sockets[1]:getsockname()
  local function client(i)
    local r, w = asyncio.open_connection(addr[1], addr[2])
    local out = {}
    for k = 1, 2 do
      w:write(("c%d m%d\n"):format(i, k))
      w:drain()
      out[#out + 1] = r:readline()
      asyncio.sleep(0.001)
    end
    w:close()
    return table.concat(out)
  end
  local fs = {}
  for i = 1, 4 do fs[i] = function() return client(i) end end
  local res = asyncio.gather(table.unpack(fs))
  asyncio.sleep(0.01)
  srv:close()
  check.eq(srv:is_serving(), false, "closed")
  return res
end)
check.eq(got[3], "C3 M1\nC3 M2\n", "each client gets its own lines back")
check.eq(served, 4, "four connections served")
check.eq(most, 4, "all four open at once in one thread")

-- read() until EOF, readexactly
local r = asyncio.run(function()
  local srv = asyncio.start_server(function(rd, wr) wr:write("abcdef") wr:drain() wr:close() end, "127.0.0.1", 0)
  local a = srv.sockets[1]:getsockname()
  local rd, wr = asyncio.open_connection(a[1], a[2])
  local x = rd:readexactly(2)
  local rest = rd:read()
  wr:close() srv:close()
  return x .. "|" .. rest
end)
check.eq(r, "ab|cdef", "readexactly then read to EOF")
print("ok")
