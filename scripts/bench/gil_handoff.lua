-- bench gil-handoff: two threads alternate strictly N times each (default
-- 20,000), ping-ponging through two Locks used as binary semaphores: ping
-- waits on `a` and hands over with `b:release()`, pong waits on `b` and hands
-- back with `a:release()`.  Every turn is a lock handoff plus a GIL handoff
-- to a thread that was blocked.  Prints the number of turns (2 * N).
-- Python twin: gil_handoff.py.  Usage: threadlab --headless gil_handoff.lua [N]
N = tonumber(arg and arg[1]) or 20000
turns = 0

a = threading.Lock()   -- ping's turn when released
b = threading.Lock()   -- pong's turn when released
b:acquire()            -- ping goes first

function ping()
  for i = 1, N do
    a:acquire()
    turns = turns + 1
    b:release()
  end
end

function pong()
  for i = 1, N do
    b:acquire()
    turns = turns + 1
    a:release()
  end
end

t1 = threading.Thread{target=ping}
t2 = threading.Thread{target=pong}
t1:start()
t2:start()
t1:join()
t2:join()
print(turns)
