-- pickle.dumps/loads, as CPython's pickle: types kept, shared references and
-- cycles kept, functions by global name, PicklingError naming the path.
local check = dofile("tests/lua/check.lua")

local t = { 1, 2.0, "a\0b\255", true, false, x = { y = {} } }
t.self = t
t.x.z = t.x.y
local u = pickle.loads(pickle.dumps(t))
check.eq(math.type(u[1]), "integer", "an integer stays an integer")
check.eq(math.type(u[2]), "float", "2.0 stays a float (Python: 2.0)")
check.eq(u[3], "a\0b\255", "strings are binary-safe")
check.eq(u[4], true, "true")
check.eq(u[5], false, "false")
check.truthy(u.self == u, "a cycle is kept")
check.truthy(u.x.z == u.x.y, "a shared reference is kept")
check.eq(pickle.loads(pickle.dumps(nil)), nil, "nil")

-- no fixed size: a 5 MB string and a 100,000-item table
local big = string.rep("x", 5 * 1024 * 1024)
check.eq(#pickle.loads(pickle.dumps(big)), #big, "a 5 MB string")
local many = {}
for i = 1, 100000 do many[i] = i end
check.eq(#pickle.loads(pickle.dumps(many)), 100000, "100,000 items")

-- functions by global name, also as a field of a global table
function work(x) return x + 1 end
lib = { helper = function() return "h" end }
check.truthy(pickle.loads(pickle.dumps(work)) == work, "a global function by name")
check.truthy(pickle.loads(pickle.dumps(lib.helper)) == lib.helper, "lib.helper by name")

-- what cannot be pickled names its path
local e = check.raises("PicklingError", pickle.dumps, { 1, { cb = function() end } })
check.truthy(tostring(e):find("obj[2].cb", 1, true), "the path: " .. tostring(e))
check.truthy(tostring(e):find("local function", 1, true), "says it is a local function")
check.raises("PicklingError", pickle.dumps, coroutine.create(print))
check.raises("PicklingError", pickle.dumps, io.stdout)
check.raises("PicklingError", pickle.dumps, { lock = mp.Lock() })
check.raises("PicklingError", pickle.dumps, threading.Lock())
-- an mp.Queue goes to another process by fork only, as CPython says
local qe = check.raises("RuntimeError", pickle.dumps, { q = mp.Queue() })
check.truthy(tostring(qe):find("Queue objects should only be shared between processes through inheritance", 1, true), tostring(qe))
check.raises("RuntimeError", pickle.dumps, mp.JoinableQueue())
-- an object whose metatable is a global (a "class") goes by the class name
Point = {}
Point.__index = Point
function Point:norm1() return self.x + self.y end
local p = pickle.loads(pickle.dumps(setmetatable({ x = 1, y = 2 }, Point)))
check.eq(p:norm1(), 3, "an instance of a global class")

-- hostile input: a clear error, never a crash
check.raises("UnpicklingError", pickle.loads, "P\1H")
check.raises("UnpicklingError", pickle.loads, "garbage")
check.raises("UnpicklingError", pickle.loads, "P\1S\255\255\255\255\255\255\255\255\127")
check.raises("UnpicklingError", pickle.loads, "P\1R\5")
check.raises("AttributeError", pickle.loads, "P\1G\7nothere")
-- deep nesting: RecursionError, as CPython's
local deep = {}
local cur = deep
for _ = 1, 2000 do cur[1] = {}; cur = cur[1] end
check.raises("RecursionError", pickle.dumps, deep)
print("ok")
