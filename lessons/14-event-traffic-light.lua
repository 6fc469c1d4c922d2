lesson{
  title = { en = "Event: a traffic light", zh = "Event：红绿灯" },
  source = "000 §3.3, 002 §6.9",
}

say{
  en = [[
    An Event is a flag that threads can wait for. It starts false.
    wait() blocks while the flag is false; set() makes it true and wakes every waiter;
    clear() makes it false again; is_set() reads it. (000 writes isSet():
    deprecated since Python 3.10, it warns "isSet() is deprecated, use is_set() instead".)
    Unlike a Condition's notify, a set flag stays set: a late waiter does not wait at all.
    The notes' traffic light: red for 3 seconds, then green. A car waits for green.]],
  zh = [[
    Event 是一个可以让线程等待的标志，初始为 false。
    标志为 false 时 wait() 会阻塞；set() 把它设为 true，并唤醒所有等待的线程；
    clear() 把它恢复为 false；is_set() 读取它。（000 里写的是 isSet()：
    从 Python 3.10 起已不推荐使用，会警告 “isSet() is deprecated, use is_set() instead”。）
    和 Condition 的 notify 不同，设好的标志会一直保持：来晚的线程根本不用等。
    笔记里的红绿灯：红灯 3 秒，然后变绿。一辆车等绿灯。]],
}

step{ en = "One light, one car", zh = "一盏灯，一辆车" }

event = threading.Event()

function light()
  print("red light is on")
  time.sleep(3)
  event:set()                  -- green
end

function car(name)
  print(("car %s waits for green"):format(name))
  event:wait()                 -- blocks until the flag is set
  print(("car %s goes at %.0f s"):format(name, time.time() - beg))
end

beg = time.time()
t1 = threading.Thread{target = light, name = "light"}
t1:start()
t = threading.Thread{target = car, args = {1}, name = "car-1"}
t:start()
t1:join(); t:join()

expect{ printed = { "red light is on", "car 1 waits for green", "car 1 goes at 3 s" },
        en = "red, the car waits, the car goes at 3 s", zh = "红灯，车等待，第 3 秒车通行" }

say{
  en = [[
    Red, the car waits, and at 3 s the light sets the event: the car goes.
    On the timeline, an arrow runs from the set() to the car that wakes.
    002 makes it a real light that cycles: green, then red, then green again.
    The car checks is_set() as it drives, and waits when it sees red.]],
  zh = [[
    红灯，车等着，第 3 秒灯 set() 了事件：车开走了。
    时间线上有一个箭头，从 set() 指向被唤醒的车。
    002 里把它做成了一个循环的红绿灯：绿，红，再绿。
    车一边开一边看 is_set()，看到红灯就等。]],
}

step{ en = "002: a light that cycles, a car that drives", zh = "002：循环的红绿灯，一直开的车" }

event = threading.Event()
running = true

function lighter()
  local count = 0
  event:set()                  -- green to begin with
  while running do
    if count > 5 and count <= 10 then
      event:clear()            -- red
      print("red light is on...")
    elseif count > 10 then
      event:set()              -- green again
      count = 0
    else
      print("green light is on...")
    end
    time.sleep(1)
    count = count + 1
  end
end

function drive(name)
  while running do
    if event:is_set() then
      print(("[%s] running..."):format(name))
      time.sleep(1)
    else
      print(("[%s] sees red light, waiting..."):format(name))
      event:wait()
      print(("[%s] green light is on, start going..."):format(name))
    end
  end
end

light = threading.Thread{target = lighter, name = "lighter"}
light:start()
mini = threading.Thread{target = drive, args = {"MINI"}, name = "MINI"}
mini:start()
time.sleep(14)                 -- the notes loop for ever; we watch 14 seconds
running = false
light:join(); mini:join()

expect{ printed = { "green light is on...", "[MINI] running...", "red light is on...",
                    "[MINI] sees red light, waiting...", "[MINI] green light is on, start going...",
                    "[MINI] running..." },
        en = "the car drives on green, waits on red, goes again on green",
        zh = "绿灯时车在开，红灯时等，再变绿时又开起来" }

say{
  en = [[
    Green, red, green: the car drives, waits, and goes again.
    While it waits, it uses no CPU at all: its lane shows it blocked, not busy.
    That is the point of waiting on an event instead of checking a flag in a loop.]],
  zh = [[
    绿、红、绿：车在开，在等，又开起来。
    等待的时候它完全不占 CPU：时间线上它是“阻塞”，不是“忙”。
    这就是等 Event、而不是在循环里反复检查标志的好处。]],
}
