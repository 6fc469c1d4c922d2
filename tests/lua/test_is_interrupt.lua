-- One test of "is this error a KeyboardInterrupt", shared by C (exit status
-- 130, the lesson player) and Lua (a Condition wait cut short by Ctrl-C).
local check = dofile("tests/lua/check.lua")
local is_interrupt = threading._prim.is_interrupt

check.eq(is_interrupt(KeyboardInterrupt("x")), true, "a KeyboardInterrupt")
check.eq(is_interrupt(KeyboardInterrupt()), true, "without a message")
check.eq(is_interrupt(RuntimeError("KeyboardInterrupt")), false, "another class")
check.eq(is_interrupt("KeyboardInterrupt"), false, "a string")
check.eq(is_interrupt({ type = "KeyboardInterrupt" }), true, "by its type, as C reads it")
check.eq(is_interrupt(nil), false, "nothing")
local ok, e = pcall(error, KeyboardInterrupt("raised"))
check.eq(ok or is_interrupt(e), true, "a raised one")
