challenge{
  title = { en = "The lost update in g = g + 1", zh = "g = g + 1 里丢失的更新" },
  goal_text = { en = "both threads add 1 to g, yet g ends at 1",
                zh = "两个线程都给 g 加了 1，最后 g 却是 1" },
  goal = function() return done == 2 and g == 1 end,
  hint = { en = "g = g + 1 is a read and then a write. Let both threads read g before either writes it.",
           zh = "g = g + 1 先读后写。让两个线程都先读到 g，再让任何一个写回去。" },
  switch_points = "statement",
  max_steps = 8,
  solution = "T2 T3 T2 T3",
}
-- 003 同步的概念: two threads add 1 to a shared global. The read and the
-- write are two statements here, so you can switch between them, as
-- CPython up to 3.9 could switch inside g = g + 1.
g, done = 0, 0
function add()
  local tmp = g
  g, done = tmp + 1, done + 1
end
threading.Thread{ target = add }:start()
threading.Thread{ target = add }:start()
