-- Descriptors: os.pipe/read/write/close/set_blocking and their errors, as
-- CPython 3.11 gives them (each compared with python3 by hand).
local check = dofile("tests/lua/check.lua")

-- Lua's own select('#', ...) still works on the select module
check.eq(select("#", 1, nil, 3), 3, "select('#', ...)")
check.eq(select(2, "a", "b", "c"), "b", "select(n, ...)")

-- a pipe between two threads carries 1 MB intact (the reader blocks, the
-- writer fills the pipe and blocks too: both release the GIL)
local r, w = os.pipe()
check.truthy(math.type(r) == "integer" and math.type(w) == "integer" and r ~= w, "two descriptors")
local data = {}
for i = 1, 1024 * 1024 // 16 do data[i] = ("%015d\n"):format(i) end
data = table.concat(data)
local got = {}
local reader = threading.Thread{target = function()
  while true do
    local s = os.read(r, 65536)
    if s == "" then break end -- end of file: every write end is closed
    got[#got + 1] = s
  end
end}
reader:start()
check.eq(os.write(w, data), #data, "a blocking write writes it all")
os.close(w)
reader:join()
got = table.concat(got)
check.eq(#got, 1024 * 1024, "1 MB arrived")
check.truthy(got == data, "intact")
os.close(r)

-- non-blocking: a read on an empty pipe raises BlockingIOError (errno 11)
r, w = os.pipe()
check.eq(os.get_blocking(r), true, "blocking by default")
os.set_blocking(r, false)
check.eq(os.get_blocking(r), false, "set_blocking(false)")
local e = check.raises("BlockingIOError", os.read, r, 10)
check.eq(tostring(e), "BlockingIOError: [Errno 11] Resource temporarily unavailable", "its text")
check.eq(e.errno, 11, "e.errno")
check.truthy(e:is(OSError), "a BlockingIOError is an OSError")
os.write(w, "abc")
check.eq(os.read(r, 10), "abc", "then the data")
-- a non-blocking write on a full pipe: BlockingIOError too, after a partial one
os.set_blocking(w, false)
local n, big = 0, string.rep("x", 4096)
while true do
  local ok, err = pcall(os.write, w, big)
  if not ok then check.eq(err.type, "BlockingIOError", "full pipe"); break end
  n = n + err
end
check.truthy(n >= 4096, "the pipe took something first")
os.close(r); os.close(w)

-- closed descriptors: OSError with errno text
e = check.raises("OSError", os.close, r)
check.eq(tostring(e), "OSError: [Errno 9] Bad file descriptor", "close twice")
check.eq(e.errno, 9, "EBADF")
check.raises("OSError", os.read, w, 1)
check.raises("OSError", os.write, w, "x")
check.raises("OSError", os.set_blocking, r, true)
-- writing to a pipe whose read end is closed: BrokenPipeError (errno 32)
r, w = os.pipe()
os.close(r)
e = check.raises("BrokenPipeError", os.write, w, "x")
check.eq(tostring(e), "BrokenPipeError: [Errno 32] Broken pipe", "EPIPE")
check.truthy(e:is(ConnectionError) and e:is(OSError), "BrokenPipeError is a ConnectionError")
os.close(w)
check.raises("ValueError", os.read, 0, -1)

-- a blocking read waits "for I/O" without the GIL: another thread runs
r, w = os.pipe()
local state
local t = threading.Thread{target = function() state = os.read(r, 5) end}
t:start()
time.sleep(0.05)
check.eq(t:is_alive(), true, "the reader waits")
os.write(w, "hello")
t:join()
check.eq(state, "hello", "woken by the write")
os.close(r); os.close(w)

-- a pipe between a parent and a forked child
r, w = os.pipe()
local pid = os.fork()
if pid == 0 then
  os.close(r)
  os.write(w, "from the child " .. os.getpid())
  os._exit(0)
end
os.close(w)
local msg = {}
while true do
  local s = os.read(r, 100)
  if s == "" then break end
  msg[#msg + 1] = s
end
os.close(r)
local _, st = os.waitpid(pid, 0)
check.eq(os.WEXITSTATUS(st), 0, "the child's status")
check.eq(table.concat(msg), "from the child " .. pid, "the child's words through the pipe")
print("ok")
