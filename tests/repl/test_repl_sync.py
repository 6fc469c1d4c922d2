"""The primitives in the REPL: Ctrl-C in a wait leaves them usable, :reset
ends threads blocked in any of them, and a deadlock is reported, the prompt
comes back, the world stays frozen for :threads and :locks until :reset,
and :quit still exits."""
import time
from pty_session import Session, check

s = Session()
s.read_until(r"> ")
base = s.threads()  # MainThread, the Ctrl-C thread (and a sanitizer's own)
check(":locks" in s.line(":help"), ":help mentions :locks")
check("no locks" in s.line(":locks"), ":locks with no lock")
# Ctrl-C in Condition.wait: KeyboardInterrupt, and the lock is held again
s.line("c = threading.Condition(); c:acquire()")
s.send("c:wait()\r")
time.sleep(0.3)
s.send("\x03")
check("KeyboardInterrupt" in s.read_until(r"> "), "Ctrl-C in Condition.wait")
check("true" in s.line("c:_is_owned()"), "the condition's lock is held again")
s.line("c:release()")
# Ctrl-C in Queue.get: the queue still works afterwards
s.line("q = queue.Queue()")
s.send("q:get()\r")
time.sleep(0.3)
s.send("\x03")
check("KeyboardInterrupt" in s.read_until(r"> "), "Ctrl-C in Queue.get")
check("5" in s.line("q:put(5); print(q:get())"), "the queue still works")
# :reset ends threads blocked in every primitive
before = s.threads()
s.line("e = threading.Event(); sem = threading.Semaphore(0); b = threading.Barrier(3)")
s.line("for _, f in ipairs{function() e:wait() end, function() q:get() end, function() sem:acquire() end,"
       " function() b:wait() end, function() threading.with(c, function() c:wait() end) end} do"
       " threading.Thread{target=f}:start() end")
check(s.threads() == before + 5, f"five blocked threads ({s.threads()} vs {before})")
check("reset" in s.line(":reset"), ":reset answers")
check(s.threads() == base, f"none survives :reset ({s.threads()} left)")
s.line('A = threading.Lock{name="lockA"}; B = threading.Lock{name="lockB"}')
s.line("t1 = threading.Thread{target=function() A:acquire(); time.sleep(0.05); B:acquire() end}")
s.line("t2 = threading.Thread{target=function() B:acquire(); time.sleep(0.05); A:acquire() end}")
# Joining a deadlocked thread raises DeadlockError instead of hanging.
out = s.line("t1:start(); t2:start(); t1:join()")
check("DeadlockError" in out, "join of a deadlocked thread raises: " + out)
check("Thread-1" in out and "Thread-2" in out and "lockA" in out and "lockB" in out,
      "the message names both threads and both locks: " + out)
check("7" in s.line("3+4"), "the prompt is back")
out = s.line(":locks")
check("lockA" in out and "held by Thread-1" in out and "waiting: Thread-2" in out,
      ":locks shows holder and waiter: " + out)
check("deadlock:" in out, ":locks repeats the deadlock found: " + out)
out = s.line(":threads")
check("Thread-1" in out and "Thread-2" in out and "deadlocked" in out,
      ":threads shows the frozen threads: " + out)
# A deadlock found while MainThread waits at the prompt is printed there.
s.line('C = threading.Lock{name="C"}; D = threading.Lock{name="D"}')
s.line("threading.Thread{target=function() C:acquire(); time.sleep(0.05); D:acquire() end}:start()")
s.send("threading.Thread{target=function() D:acquire(); time.sleep(0.05); C:acquire() end}:start()\r")
out = s.read_until(r"deadlock: .*", timeout=5)
time.sleep(0.2)
check("7" in s.line("3+4"), "still answering")
out = s.line(":reset")
check("reset" in out, ":reset answers")
check(s.threads() == base, f"no thread survives :reset ({s.threads()} left)")
check("no locks" in s.line(":locks"), "a fresh world has no locks")
# Deadlocked again, then :quit: exit does not wait for the frozen threads.
s.line('A = threading.Lock{name="A"}; B = threading.Lock{name="B"}')
s.line("t1 = threading.Thread{target=function() A:acquire(); time.sleep(0.05); B:acquire() end}")
s.line("t2 = threading.Thread{target=function() B:acquire(); time.sleep(0.05); A:acquire() end}")
out = s.line("t1:start(); t2:start(); t2:join()")
check("DeadlockError" in out, "deadlocked again: " + out)
s.send(":quit\r")
check(s.close() == 0, "exit status 0 after :quit with a frozen world")
print("ok")
