challenge{
  title = { en = "Check, then act: one ticket sold twice", zh = "先检查再行动：一张票卖了两次" },
  goal_text = { en = "two buyers both get the last ticket", zh = "两个买家都买到了最后一张票" },
  goal = function() return sold == 2 end,
  hint = { en = "Both buyers must see tickets > 0 before either takes one.",
           zh = "让两个买家都先看到 tickets > 0，再让任何一个去买。" },
  max_steps = 8,
  solution = "T2 T3 T2 T3 T2 T3",
}
-- 004 互斥锁和Gil锁的关系: the GIL does not make "if there is a ticket,
-- take it" one step. Only a Lock around both does.
tickets, sold = 1, 0
function buy()
  if tickets > 0 then
    tickets = tickets - 1
    sold = sold + 1
  end
end
threading.Thread{ target = buy }:start()
threading.Thread{ target = buy }:start()
