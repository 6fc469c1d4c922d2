challenge{
  title = { en = "An Event cleared too early", zh = "Event 清除得太早" },
  goal_text = { en = "the light turns green and red again before T2 looks: T2 waits for ever",
                zh = "绿灯亮了又灭，T2 还没来得及看：它永远等下去" },
  goal = function() return challenge.stuck() end,
  hint = { en = "set() then clear() is a blink. Blink before T2 waits.",
           zh = "先 set() 再 clear() 只是闪一下。让它在 T2 开始等之前闪完。" },
  max_steps = 6,
  solution = "T3 T3",
}
-- 000 §3.3 and 002 §6.9, the traffic light: an Event is a flag, not a message. A car
-- that comes after the light went red again never saw green.
light = threading.Event()
function car()
  light:wait()
  print("the car drives on")
end
function lights()
  light:set()
  light:clear()
end
threading.Thread{ target = car }:start()
threading.Thread{ target = lights }:start()
