-- Python's exceptions as Lua error objects: RuntimeError("msg") makes one,
-- error(RuntimeError("msg")) raises it, and tostring reads like Python:
-- "RuntimeError: msg". e.type names the class; e:is(ValueError) asks for it
-- or any subclass.
local parts = ...
local errors = {}

local Error = {}
Error.__index = Error

function Error.__tostring(e)
  if e.message == nil or e.message == "" then return e.type end
  return e.type .. ": " .. e.message
end

function Error:is(class)
  local c = errors[self.type]
  while c do
    if c == class then return true end
    c = c.base
  end
  return false
end

local function class(name, base)
  local c = { name = name, base = base }
  setmetatable(c, {
    __call = function(_, message, ...)
      return setmetatable({ type = name, message = message ~= nil and tostring(message) or "",
                            args = table.pack(message, ...) }, Error)
    end,
    __tostring = function() return "<class '" .. name .. "'>" end,
  })
  errors[name] = c
  return c
end

local BaseException = class("BaseException")
local Exception = class("Exception", BaseException)
class("KeyboardInterrupt", BaseException)
class("SystemExit", BaseException)
class("RuntimeError", Exception)
class("ValueError", Exception)
class("TypeError", Exception)
class("MemoryError", Exception)
class("AssertionError", Exception)
class("AttributeError", Exception)
class("LookupError", Exception)
class("KeyError", errors.LookupError)
class("OverflowError", class("ArithmeticError", Exception)) -- a timeout past TIMEOUT_MAX; a port past 65535
class("BrokenBarrierError", errors.RuntimeError)
class("IndexError", Exception)
class("EOFError", Exception)
class("RecursionError", errors.RuntimeError)
class("NotImplementedError", errors.RuntimeError)
-- pickle's: what cannot cross between processes.
class("PicklingError", Exception)
class("UnpicklingError", Exception)
-- What the os functions of processes raise, as Python's OSError family.
class("OSError", Exception)
class("ChildProcessError", errors.OSError)
class("BlockingIOError", errors.OSError)
class("ProcessLookupError", errors.OSError)
-- A call the sandbox (--sandbox) does not allow; a socket off the loopback.
class("PermissionError", errors.OSError)
-- ... and what descriptors and sockets raise (TimeoutError is socket.timeout).
class("TimeoutError", errors.OSError)
class("InterruptedError", errors.OSError)
class("FileNotFoundError", errors.OSError)
class("FileExistsError", errors.OSError)
class("ConnectionError", errors.OSError)
class("BrokenPipeError", errors.ConnectionError)
class("ConnectionRefusedError", errors.ConnectionError)
class("ConnectionResetError", errors.ConnectionError)
class("ConnectionAbortedError", errors.ConnectionError)
-- threadlab's own: a deadlock was found (the message names the cycle).
class("DeadlockError", errors.RuntimeError)
-- and a hang: nothing can run again, yet no cycle (a notify nobody can send)
class("HangError", errors.DeadlockError)

-- Every class is a global, as Python's builtins are.
for name, c in pairs(errors) do _G[name] = c end

errors.class = class
errors.Error = Error
-- The argument checks every public function shares (errors.c): kwargs
-- (a constructor's table has only the fields it knows: every constructor
-- calls it, subclass bodies aside), timeout (nil or a number, NaN refused),
-- whole (a count with no fraction), argerror (the TypeError itself).
for k, f in pairs(parts.arg_checks) do errors[k] = f end
return errors
