lesson{
  title = { en = "Shared memory: a Value still needs its lock",
            zh = "共享内存：Value 也需要它的锁" },
  source = "002 §13.4",
}

say{
  en = [[
    Processes copy globals, so a global counter cannot be shared. mp.Value puts
    one number in shared memory that every child sees. But v.value = v.value + 1
    is still a read, then a write: two processes, on two cores, can both read 41
    and both write 42. One update is lost. That is 002 §13.4's point.]],
  zh = [[
    进程会复制全局变量，所以全局计数器没法共享。mp.Value 把一个数放进共享内存，
    每个子进程都看得到。但 v.value = v.value + 1 仍然是先读、再写：
    两个进程在两个核上，可能都读到 41，又都写下 42。一次更新就丢了。
    这就是 002 §13.4 讲的。]],
}

step{ en = "Two processes, no lock", zh = "两个进程，不加锁" }

v = mp.Value("i", 0)
function add_unguarded() for _ = 1, 100000 do v.value = v.value + 1 end end
ps = { mp.Process{ target = add_unguarded, name = "adder 1" }, mp.Process{ target = add_unguarded, name = "adder 2" } }
for _, p in ipairs(ps) do p:start() end
for _, p in ipairs(ps) do p:join() end
unguarded = v.value
print("without the lock: " .. unguarded)

expect{ value = unguarded, min = 2, max = 199999,
        en = "fewer than 200,000: updates were lost (CPython printed 127279 here)",
        zh = "少于 200,000：有更新丢了（CPython 在这里打印了 127279）" }

step{ en = "With get_lock()", zh = "用 get_lock()" }

v.value = 0
function add_guarded()
  local lock = v:get_lock()
  for _ = 1, 100000 do
    lock:acquire()
    v.value = v.value + 1
    lock:release()
  end
end
ps = { mp.Process{ target = add_guarded, name = "adder 3" }, mp.Process{ target = add_guarded, name = "adder 4" } }
for _, p in ipairs(ps) do p:start() end
for _, p in ipairs(ps) do p:join() end
print("with the lock: " .. v.value)

expect{ value = v.value, is = 200000, en = "with the lock, exactly 200,000", zh = "加了锁，正好 200,000" }

say{
  en = [[
    With the Value's own lock around the read and the write, no update is lost.
    The lock is a semaphore in shared memory, so it works across processes.
    Without it, how many updates are lost depends on how the two processes
    overlap: on the real clock it changes from run to run; on the virtual clock
    every access to v.value is a point where the other process may cut in, as
    the seed says (--seed 2 loses a different number of updates).]],
  zh = [[
    用 Value 自带的锁把读和写包起来，就一次更新也不会丢。
    这把锁是共享内存里的信号量，所以跨进程也有效。
    不加锁时丢多少次更新，取决于两个进程怎么重叠：在真实时钟下每次运行都不一样；
    在虚拟时钟下，每次访问 v.value 都是另一个进程可能插进来的地方，由种子决定
    （--seed 2 丢的次数就不一样）。]],
}
