challenge{
  title = { en = "A queue built on a list, without a lock", zh = "没有锁的列表队列" },
  goal_text = { en = "two producers put an item each, yet the list holds one: an item is lost",
                zh = "两个生产者各放了一件，列表里却只有一件：丢了一件" },
  goal = function() return puts == 2 and #items == 1 end,
  hint = { en = "Both producers must find the same free slot before either fills it.",
           zh = "让两个生产者都先找到同一个空位，再让任何一个把它填上。" },
  max_steps = 8,
  solution = "T2 T3 T2 T3",
}
-- 002 ch.9, without queue.Queue's lock: "find the end, then write there"
-- is two steps, and another producer can come in between.
items, puts = {}, 0
function put(x)
  local slot = #items + 1
  items[slot], puts = x, puts + 1
end
threading.Thread{ target = put, args = { "apple" } }:start()
threading.Thread{ target = put, args = { "pear" } }:start()
