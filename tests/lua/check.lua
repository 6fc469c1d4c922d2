-- Small assertions for the behaviour tests; each test file is its own
-- process and fails by raising.
local check = {}

function check.eq(got, want, what)
  if got ~= want then
    error(("%s: got %s, want %s"):format(what or "value", tostring(got), tostring(want)), 2)
  end
end

function check.truthy(v, what)
  if not v then error((what or "condition") .. " is false", 2) end
end

-- Runs fn, which must raise an error object of the given type; returns it.
function check.raises(typename, fn, ...)
  local ok, err = pcall(fn, ...)
  if ok then error("expected " .. typename .. ", nothing was raised", 2) end
  if type(err) ~= "table" or err.type ~= typename then
    error("expected " .. typename .. ", got " .. tostring(err), 2)
  end
  check.truthy(tostring(err):find(typename, 1, true), "tostring names the type")
  return err
end

-- A test whose failure is a wait that never ends fails in `seconds`
-- instead of at the runner's timeout, saying what: a daemon thread of the
-- parent, so only while the stuck wait gives up the GIL. Call the
-- function it returns when the waits are over.
function check.watchdog(seconds, what)
  local watching = true
  threading.Thread{ daemon = true, name = "watchdog", target = function()
    local t0 = time.monotonic()
    while watching and time.monotonic() - t0 < seconds do time.sleep(0.05) end
    if watching then
      io.stderr:write("FAIL: " .. what .. "\n")
      os.exit(1)
    end
  end }:start()
  return function() watching = false end
end

-- A connected loopback pair: the client, the accepted end, and the
-- listening socket (socket.socket as it is when called: patched by
-- gevent.monkey too).
function check.connected_pair()
  local l = socket.socket()
  l:bind({"127.0.0.1", 0})
  l:listen(1)
  local c = socket.socket()
  c:connect(l:getsockname())
  return c, (l:accept()), l
end

return check
