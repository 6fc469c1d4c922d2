challenge{
  title = { en = "g = g + 1 is two steps", zh = "g = g + 1 是两步" },
  goal_text = { en = "both threads run g = g + 1 once, yet g ends at 1",
                zh = "两个线程各执行一次 g = g + 1，最后 g 却是 1" },
  goal = function() return g == 1 and challenge.writes("g") == 2 end,
  hint = { en = "Each move is one read or one write of g. Let both threads read g before either writes it.",
           zh = "每一步是对 g 的一次读或一次写。让两个线程都先读 g，再让任何一个写回去。" },
  switch_points = "instruction",
  max_steps = 6,
  solution = "T2 T3 T2 T3",
}
-- 003 同步的概念, as CPython up to 3.9 ran it: g = g + 1 reads g into a
-- temporary, adds 1, and writes it back, and a switch can fall in between.
-- Here each read and each write of g is a move of its own.
g = 0
function add()
  g = g + 1
end
threading.Thread{ target = add }:start()
threading.Thread{ target = add }:start()
