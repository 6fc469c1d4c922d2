# The process cap and the fork bomb: BlockingIOError at the cap, a bomb
# ended whole (every process killed and reaped), exit status 1; daemonic
# children end with the main code. Nothing of the run is left (from /proc).
. tests/cli/lib.sh
export TL_CONTAIN_MARK=$$.$RANDOM

left_behind() { marked_left "TL_CONTAIN_MARK=$TL_CONTAIN_MARK"; }

# the cap: the fork past it raises BlockingIOError naming it; the run goes on
out=$($BIN --headless --max-procs 2 -e 'local kids = {}
for i = 1, 3 do
  local ok, e = pcall(os.fork)
  if ok and e == 0 then time.sleep(0.2); os._exit(0) end
  if ok then kids[#kids + 1] = e else print(e.type, tostring(e):match("%-%-max%-procs 2") ~= nil) end
end
for _, k in ipairs(kids) do os.waitpid(k, 0) end
print("forked", #kids)' 2>&1); rc=$?
expect_eq "$out" "$(printf 'BlockingIOError true\nforked 2')" "the cap of 2"
expect_eq "$rc" "0" "a refusal is an error the program may catch"

# the 004 fork bomb in a child: contained within seconds, exit status 1
start=$(date +%s)
timeout 60 $BIN --headless -e 'local pid = os.fork()
if pid == 0 then while true do os.fork() end end
os.waitpid(pid, 0)' >"$T/bomb.out" 2>&1; rc=$?
expect_eq "$rc" "1" "the bomb's exit status"
expect_has "$(tail -1 "$T/bomb.out")" "fork bomb contained: 64 processes at the cap of 64" "the bomb's message"
[ $(( $(date +%s) - start )) -le 20 ] || fail "the bomb took more than 20 s to contain"
sleep 0.3
expect_eq "$(left_behind)" "0" "processes left after the bomb"

# daemonic children are terminated when the main code ends; others joined
out=$($BIN --headless -e 'mp.Process{daemon = true, target = function() time.sleep(100) end}:start()
mp.Process{target = function() time.sleep(0.2); print("non-daemon done") end}:start()
print("main done")'); rc=$?
expect_eq "$out" "$(printf 'main done\nnon-daemon done')" "daemon terminated, the other joined"
sleep 0.2
expect_eq "$(left_behind)" "0" "processes left after exit"

# os.exit in the main process: no child survives it either
$BIN --headless -e 'for i = 1, 3 do if os.fork() == 0 then time.sleep(100) end end; os.exit(0)'
sleep 0.2
expect_eq "$(left_behind)" "0" "processes left after os.exit"
echo ok
