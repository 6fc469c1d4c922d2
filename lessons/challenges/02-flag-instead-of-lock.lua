challenge{
  title = { en = "A flag instead of a lock", zh = "用标志变量代替锁" },
  goal_text = { en = "both threads are inside the critical section at once",
                zh = "两个线程同时进入临界区" },
  goal = function() return most_inside == 2 end,
  hint = { en = "Checking the flag and setting it are two statements. Let both threads see busy == false before either sets it.",
           zh = "检查标志和设置标志是两条语句。让两个线程都先看到 busy == false，再让任何一个去设置它。" },
  max_steps = 8,
  solution = "T2 T3 T2 T3 T2 T3",
}
-- 003 同步的概念: a home-made lock. A thread waits while busy is set, then
-- sets it itself and goes in. Nothing makes the check and the set one step.
busy, inside, most_inside = false, 0, 0
function enter()
  while busy do end
  busy = true
  inside = inside + 1; most_inside = math.max(most_inside, inside)
  inside = inside - 1
  busy = false
end
threading.Thread{ target = enter }:start()
threading.Thread{ target = enter }:start()
