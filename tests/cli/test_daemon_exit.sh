# At exit the program waits for non-daemon threads and leaves daemon threads
# behind cleanly: no crash, no hang, whatever they are doing.
. tests/cli/lib.sh
cat > "$T/d.lua" <<'LUA'
local l = threading.Lock(); l:acquire()
threading.Thread{daemon = true, target = function() while true do end end}:start()
threading.Thread{daemon = true, target = function() l:acquire() end}:start()
threading.Thread{daemon = true, target = function() time.sleep(1000) end}:start()
threading.Thread{daemon = true, target = function()
  while true do pcall(function() while true do end end) end  -- cannot catch its end
end}:start()
local w = threading.Thread{target = function() time.sleep(0.1); print("non-daemon done") end}
w:start()
print("main done")
LUA
out=$($BIN --headless "$T/d.lua"); rc=$?
expect_eq "$rc" "0" "exit status"
expect_eq "$out" "$(printf 'main done\nnon-daemon done')" "waited for the non-daemon thread only"
echo ok
