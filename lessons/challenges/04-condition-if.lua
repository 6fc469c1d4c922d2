challenge{
  title = { en = "Condition.wait under if instead of while", zh = "用 if 而不是 while 等 Condition" },
  goal_text = { en = "a consumer takes an item that is not there: items falls below 0",
                zh = "消费者取走了一个并不存在的东西：items 变成负数" },
  goal = function() return items < 0 end,
  hint = { en = "Wake T2 with an item, then let T3 take that item before T2 gets the lock back. T2 does not look again.",
           zh = "先让生产者放一件并唤醒 T2，再让 T3 在 T2 重新拿到锁之前把它取走。T2 醒来后不会再检查一遍。" },
  max_steps = 8,
  solution = "T2 T4 T3 T3 T3 T2 T2",
}
-- 000 §2.5 and Python's docs: wait() belongs in a while loop. Being woken
-- says "something changed", not "your item is still there".
cv = threading.Condition()
items = 0
function consumer()
  cv:acquire(); if items == 0 then cv:wait() end
  items = items - 1
  cv:release()
end
function producer()
  for _ = 1, 2 do cv:acquire(); items = items + 1; cv:notify(); cv:release() end
end
threading.Thread{ target = consumer }:start()
threading.Thread{ target = consumer }:start()
threading.Thread{ target = producer }:start()
