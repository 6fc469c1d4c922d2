""":threads and :locks cover every process of the run, through a pty: a
child holding an mp.Lock, another thread of the parent waiting for it, a
second child's thread waiting too; then a cross-process deadlock, told by
:locks and the DeadlockError, and :reset forgets it all."""
import time
from pty_session import Session, check

s = Session()
s.read_until(r"> ")
s.line('L = mp.Lock{name = "L1"}; M = mp.RLock{name = "M"}; ev = mp.Event()')
# the child takes L1 and sleeps holding it; its thread "keeper" sleeps too
s.line('function hold() L:acquire(); ev:set(); '
       'threading.Thread{name = "keeper", target = function() time.sleep(30) end}:start(); '
       'time.sleep(30) end')
s.line('p = mp.Process{target = hold, name = "Holder"}; p:start(); ev:wait(5)')
# a second child waits for L1, in a thread of its own named "waiter"
s.line('function want() local t = threading.Thread{name = "waiter", target = function() L:acquire() end}; '
       't:start(); t:join() end')
s.line('q = mp.Process{target = want, name = "Wanter"}; q:start()')
# and a thread of the parent waits for it too
s.line('t = threading.Thread{name = "T-parent", target = function() L:acquire() end}; t:start()')
time.sleep(0.6)

s.send(":locks\r")
out = s.read_until(r"mp\.RLock[^\n]*\n")
check("L1" in out and "held by Holder/MainThread" in out, ":locks names the child holding L1: " + out)
check("MainProcess/T-parent" in out and "Wanter/waiter" in out,
      ":locks lists both waiters, from both processes: " + out)
check("M" in out and "free" in out.split("mp.RLock")[1].split("\n")[0], "M is free: " + out)

s.send(":threads\r")
out = s.read_until(r"Wanter[^\n]*\n(\s+T[^\n]*\n){2}")
check("Holder" in out and "keeper" in out and "sleeping" in out,
      ":threads lists the holder's threads, sleeping: " + out)
check("Wanter" in out and "waiter" in out and "waiting for mp.Lock L1, held by Holder/MainThread" in out,
      ":threads says what the other child's thread waits for: " + out)

s.line("p:kill(); q:kill(); p:join(); q:join()")
# a holder killed holding L1: the lock stays locked (as CPython's); the
# killed waiter is gone from the list, the parent's thread still waits
s.send(":locks\r")
out = s.read_until(r"mp\.RLock[^\n]*\n")
check("held by Holder/MainThread (ended)" in out, ":locks says the holder has ended: " + out)
check("MainProcess/T-parent" in out and "Wanter/waiter" not in out, "only live waiters: " + out)
s.line(":reset")
s.send(":locks\r")
out = s.read_until(r"no locks")
check("L1" not in out, ":reset forgets the mp locks: " + out)

# a deadlock across processes, at the prompt: the parent is told
s.line('A = mp.Lock{name = "A"}; B = mp.Lock{name = "B"}; go = mp.Event()')
s.line('function other() B:acquire(); go:set(); time.sleep(0.3); A:acquire() end')
s.line('A:acquire(); c = mp.Process{target = other}; c:start(); go:wait(5)')
out = s.line('ok, e = pcall(B.acquire, B); print(ok, e.type)', until=r"(true|false) \w+")
check("false DeadlockError" in out, "the parent's acquire raised DeadlockError: " + out)
s.line("c:join(5)")
s.send(":locks\r")
out = s.read_until(r"deadlock: [^\n]*\n")
check("wait for each other" in out and "Process-" in out, ":locks tells the deadlock: " + out)
s.send(":quit\r")
s.close()
print("ok")
