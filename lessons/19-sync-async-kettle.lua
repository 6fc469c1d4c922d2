lesson{
  title = { en = "Sync and async, blocking and non-blocking: Lao Zhang's kettle",
            zh = "同步与异步，阻塞与非阻塞：老张烧水" },
  source = "002 §4, 002 §7.7, 000 concepts",
  speed = 4,    -- 34 story minutes play in under 9 s
}

say{
  en = [[
    Two questions that sound alike and are not.
    Sync or async is about how you learn the result:
    sync, you go and get it; async, the other side tells you (a callback, a signal).
    Blocking or not is about what you do meanwhile:
    blocking, you wait and do nothing else; non-blocking, you get on with other things.
    002's story: Lao Zhang boils water. He has a plain kettle, and later a whistling one.
    Lao Zhang, the kettle and the whistling kettle each get a thread, so each has a lane.
    One second of the timeline stands for one minute (played 4 times faster). The water takes 5 minutes.]],
  zh = [[
    两个听起来很像、其实不一样的问题。
    同步还是异步，说的是你怎么得到结果：
    同步是你自己去拿；异步是对方来告诉你（回调、通知）。
    阻塞还是非阻塞，说的是这期间你在干什么：
    阻塞是干等着，什么也不做；非阻塞是先去做别的事。
    002 的故事：老张烧开水。他有一把普通水壶，后来又买了一把响水壶。
    老张、普通水壶、响水壶各占一个线程，时间线上各有一条线。
    时间线上的一秒代表一分钟（按 4 倍速播放）。水要 5 分钟才开。]],
}

step{ en = "1. Plain kettle, he stands and waits: sync, blocking", zh = "1. 普通水壶，立等水开：同步阻塞" }

function boil(whistle)                  -- a kettle, in its own thread
  time.sleep(5)
  if whistle then whistle() end         -- a whistling kettle tells you
end

function clock() return ("%.0f min"):format(time.time() - beg) end

function as_lao_zhang(story)            -- Lao Zhang is a thread too; the main thread waits
  beg = time.time()
  local him = threading.Thread{target = story, name = "Lao Zhang"}
  him:start()
  him:join()
end

as_lao_zhang(function()
  local kettle = threading.Thread{target = boil, name = "kettle"}
  kettle:start()
  kettle:join()                         -- Lao Zhang stands by the stove
  print(clock() .. ": the water boils; Lao Zhang did nothing else")
end)

expect{ printed = { "5 min: the water boils; Lao Zhang did nothing else" },
        en = "he waited the whole 5 minutes", zh = "他干等了整整 5 分钟" }

say{
  en = [[
    Five minutes gone, nothing else done. His wife calls him; he does not hear.
    Next he puts the kettle on and watches TV,
    going to the kitchen every two minutes to look.]],
  zh = [[
    5 分钟过去了，别的什么也没干。媳妇喊他，他都听不见。
    接着，他把水壶放上火，去客厅看电视，
    每隔两分钟去厨房看一眼。]],
}

step{ en = "2. Plain kettle, TV, a look now and then: sync, non-blocking", zh = "2. 普通水壶，看电视，时不时去看：同步非阻塞" }

as_lao_zhang(function()
  local kettle = threading.Thread{target = boil, name = "kettle"}
  kettle:start()
  looks = 0
  while kettle:is_alive() do            -- go and look: is it done?
    looks = looks + 1
    print(clock() .. ": not yet, back to the TV")
    time.sleep(2)                       -- two minutes of TV
  end
  print(clock() .. ": boiled, found on look " .. looks + 1)
end)

expect{ value = looks, is = 3, en = "three trips to the kitchen for nothing", zh = "白跑了三趟厨房" }
expect{ printed = { "6 min: boiled, found on look 4" }, en = "and he found it a minute late",
        zh = "而且晚了一分钟才发现" }

say{
  en = [[
    He saw some TV, but he had to keep asking, and he found the water late. That is polling:
    the result comes to him only when he fetches it, so it is still synchronous.
    Now he buys a kettle that whistles when the water boils.
    First he still stands by it.]],
  zh = [[
    电视是看了一些，可他得不停地去问，而且发现得晚了。这叫轮询：
    结果要他自己去拿，所以仍然是同步的。
    后来他买了一把响水壶，水开了会响。
    一开始，他还是站在旁边等。]],
}

step{ en = "3. Whistling kettle, he stands and waits: async, blocking", zh = "3. 响水壶，立等水开：异步阻塞" }

as_lao_zhang(function()
  local kettle = threading.Thread{target = boil, name = "whistling kettle",
                                  args = { function() print(clock() .. ": whistle!") end }}
  kettle:start()
  kettle:join()                         -- standing there anyway
  print(clock() .. ": Lao Zhang, standing right there, takes the kettle")
end)

expect{ printed = { "5 min: whistle!", "5 min: Lao Zhang, standing right there, takes the kettle" },
        en = "the kettle told him, but he was waiting anyway", zh = "水壶通知了他，可他本来就在干等" }

say{
  en = [[
    The kettle can tell him now: asynchronous. But he stood there anyway: blocking.
    The whistle bought him nothing. Async pays off only with non-blocking.
    Next: whistling kettle, and he watches TV. The whistle is a callback, a function
    the kettle calls when it is done. Watch which thread runs it.]],
  zh = [[
    水壶现在会通知他了：这是异步。可他还是站着等：这是阻塞。
    响笛对他毫无用处。异步要配合非阻塞才能发挥作用。
    接下来：响水壶，他去看电视。响笛是一个回调：水壶烧好时调用的函数。
    注意看，是哪个线程在执行它。]],
}

step{ en = "4. Whistling kettle, TV: async, non-blocking, with a callback", zh = "4. 响水壶，看电视：异步非阻塞，用回调" }

function on_whistle()                   -- the callback: the kettle calls it when done
  print(clock() .. ": whistle! this callback runs in: " .. threading.current_thread().name)
end

as_lao_zhang(function()
  local kettle = threading.Thread{target = boil, name = "whistling kettle", args = {on_whistle}}
  kettle:start()
  for episode = 1, 3 do                 -- TV; he never goes to check
    print(clock() .. ": episode " .. episode)
    time.sleep(3)
  end
end)

expect{ printed = { "0 min: episode 1", "3 min: episode 2", "5 min: whistle! this callback runs in: whistling kettle",
                    "6 min: episode 3" },
        en = "TV all along; at 5 min the callback ran, in the kettle's thread",
        zh = "一直在看电视；第 5 分钟回调执行了，是在水壶的线程里" }

say{
  en = [[
    The whistle came at 5 minutes while he watched TV. But look who ran the callback:
    the kettle's thread, not Lao Zhang. A callback runs in whatever thread calls it.
    002 §7.7 asks the same of multiprocessing.Pool.apply_async: its callback runs
    in the main process, in a helper thread of the pool, one callback after another.
    So a callback that touches Lao Zhang's data needs a lock, and should be quick.
    The usual way out: the callback only raises a flag, and Lao Zhang's own thread acts on it.]],
  zh = [[
    他看电视的时候，第 5 分钟水壶响了。可是看看是谁执行的回调：
    是水壶的线程，不是老张。回调由调用它的那个线程执行。
    002 §7.7 问的也是这个：multiprocessing.Pool.apply_async 的回调
    在主进程里执行，由进程池的一个辅助线程一个接一个地执行。
    所以回调要是动了老张的数据，就得加锁，而且要快。
    常见的做法：回调只负责立一个标志（Event），由老张自己的线程去处理。]],
}

step{ en = "5. The whistle reaches Lao Zhang: an Event", zh = "5. 响笛传到老张那里：用 Event" }

whistled = threading.Event{name = "whistle"}

as_lao_zhang(function()
  local kettle = threading.Thread{target = boil, name = "whistling kettle",
                                  args = { function() whistled:set() end }}   -- the callback only sets a flag
  kettle:start()
  for episode = 1, 3 do
    print(clock() .. ": episode " .. episode)
    if whistled:wait(3) then            -- TV, until the episode ends or the kettle whistles
      whistled:clear()
      print(clock() .. ": the whistle! " .. threading.current_thread().name .. " takes the kettle")
    end
  end
end)

expect{ printed = { "3 min: episode 2", "5 min: the whistle! Lao Zhang takes the kettle", "5 min: episode 3" },
        en = "Lao Zhang himself took the kettle, the minute it whistled",
        zh = "老张自己在水响的那一分钟拿走了水壶" }

say{
  en = [[
    All TV, no trips to the kitchen, and Lao Zhang himself takes the water the minute it boils.
    Sync or async belongs to the kettle: does it report back?
    Blocking or not belongs to Lao Zhang: does he wait doing nothing?
    In code: a callback or an event is async; join() or a read that waits is blocking.
    An event loop (asyncio) works like the last step: one thread does its work and
    handles each notification when it arrives, in that same thread.]],
  zh = [[
    一直在看电视，一趟厨房也没跑，水一开，老张自己就把它拿走了。
    同步还是异步，是水壶的事：它会不会主动报告？
    阻塞还是非阻塞，是老张的事：他是不是什么都不做干等着？
    放到代码里：回调、事件是异步；join()、会等待的读操作是阻塞。
    事件循环（asyncio）就像最后这一步：一个线程做自己的事，
    通知来了，就在这同一个线程里处理。]],
}
