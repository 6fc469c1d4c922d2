challenge{
  title = { en = "A Semaphore released by the wrong thread", zh = "被别的线程释放的 Semaphore" },
  goal_text = { en = "two users are inside a room that has one place", zh = "只有一个位置的房间里进了两个人" },
  goal = function() return most == 2 end,
  hint = { en = "A Semaphore is a counter, not an owner: while T2 is inside, let T4 release, then let T3 in.",
           zh = "Semaphore 只是个计数器，不认主人：T2 在里面时让 T4 release 一次，再让 T3 进去。" },
  max_steps = 8,
  solution = "T2 T2 T4 T3 T3",
}
-- 004 信号量: Semaphore(1) lets one thread in. Unlike a Lock, any thread
-- may release it, even one that never acquired it (BoundedSemaphore would
-- at least say so when the count goes past its start).
room = threading.Semaphore(1)
inside, most = 0, 0
function user()
  room:acquire()
  inside = inside + 1; most = math.max(most, inside)
  inside = inside - 1
  room:release()
end
function meddler()
  room:release()
end
threading.Thread{ target = user }:start()
threading.Thread{ target = user }:start()
threading.Thread{ target = meddler }:start()
