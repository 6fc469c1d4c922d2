challenge{
  title = { en = "The notification nobody heard", zh = "没人听见的通知" },
  goal_text = { en = "T2 waits for a notify that has already happened: it waits for ever",
                zh = "T2 等一个早已发过的通知：它永远等下去" },
  goal = function() return challenge.stuck() end,
  hint = { en = "A notify with nobody waiting is lost. Let T3 notify before T2 starts to wait.",
           zh = "没有人在等的时候发出的 notify 就丢了。让 T3 在 T2 开始等待之前发通知。" },
  max_steps = 6,
  solution = "T3 T3 T3",
}
-- 000 §2.5: the notes start the waiter first, on purpose. Start them the
-- other way round and the notification is lost: a Condition keeps no memory.
cv = threading.Condition()
function waiter()
  cv:acquire()
  cv:wait()
  cv:release()
end
function notifier()
  cv:acquire()
  cv:notify()
  cv:release()
end
threading.Thread{ target = waiter }:start()
threading.Thread{ target = notifier }:start()
