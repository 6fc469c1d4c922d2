lesson{
  title = { en = "Sync and async, blocking and non-blocking: Lao Zhang's kettle",
            zh = "同步与异步，阻塞与非阻塞：老张烧水" },
  source = "002 §4, 000 concepts",
}

say{
  en = [[
    Two questions that sound alike and are not.
    Sync or async is about how you learn the result:
    sync, you go and get it; async, the other side tells you (a callback, a signal).
    Blocking or not is about what you do meanwhile:
    blocking, you wait and do nothing else; non-blocking, you get on with other things.
    002's story: Lao Zhang boils water. He has a plain kettle, and later a whistling one.
    In this lesson one second stands for one minute. The water takes 5 minutes.]],
  zh = [[
    两个听起来很像、其实不一样的问题。
    同步还是异步，说的是你怎么得到结果：
    同步是你自己去拿；异步是对方来告诉你（回调、通知）。
    阻塞还是非阻塞，说的是这期间你在干什么：
    阻塞是干等着，什么也不做；非阻塞是先去做别的事。
    002 的故事：老张烧开水。他有一把普通水壶，后来又买了一把响水壶。
    这一课里一秒代表一分钟。水要 5 分钟才开。]],
}

step{ en = "1. Plain kettle, he stands and waits: sync, blocking", zh = "1. 普通水壶，立等水开：同步阻塞" }

function boil(whistle)                  -- the kettle, in its own thread
  time.sleep(5)
  if whistle then whistle() end         -- a whistling kettle tells you
end

function clock() return ("%.0f min"):format(time.time() - beg) end

beg = time.time()
kettle = threading.Thread{target = boil, name = "kettle"}
kettle:start()
kettle:join()                           -- Lao Zhang stands by the stove
print(clock() .. ": the water boils; Lao Zhang did nothing else")

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

beg = time.time()
kettle = threading.Thread{target = boil, name = "kettle"}
kettle:start()
looks = 0
while kettle:is_alive() do              -- go and look: is it done?
  looks = looks + 1
  print(clock() .. ": not yet, back to the TV")
  time.sleep(2)                         -- two minutes of TV
end
print(clock() .. ": boiled, found on look " .. looks + 1)

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

beg = time.time()
kettle = threading.Thread{target = boil, name = "kettle",
                          args = { function() print(clock() .. ": whistle!") end }}
kettle:start()
kettle:join()                           -- standing there anyway
print(clock() .. ": Lao Zhang, standing right there, takes the kettle")

expect{ printed = { "5 min: whistle!", "5 min: Lao Zhang, standing right there, takes the kettle" },
        en = "the kettle told him, but he was waiting anyway", zh = "水壶通知了他，可他本来就在干等" }

say{
  en = [[
    The kettle can tell him now: asynchronous. But he stood there anyway: blocking.
    The whistle bought him nothing. Async pays off only with non-blocking.
    Last: whistling kettle, and he watches TV until it whistles.]],
  zh = [[
    水壶现在会通知他了：这是异步。可他还是站着等：这是阻塞。
    响笛对他毫无用处。异步要配合非阻塞才能发挥作用。
    最后：响水壶，他去看电视，直到水壶响。]],
}

step{ en = "4. Whistling kettle, TV until it whistles: async, non-blocking", zh = "4. 响水壶，看电视直到水壶响：异步非阻塞" }

beg = time.time()
function on_whistle()                   -- the callback: runs when the kettle is done
  print(clock() .. ": whistle! Lao Zhang gets up and takes the kettle")
end
kettle = threading.Thread{target = boil, name = "kettle", args = {on_whistle}}
kettle:start()
for episode = 1, 3 do                   -- TV; he never goes to check
  print(clock() .. ": episode " .. episode)
  time.sleep(3)
end

expect{ printed = { "0 min: episode 1", "3 min: episode 2", "5 min: whistle! Lao Zhang gets up and takes the kettle",
                    "6 min: episode 3" },
        en = "TV all along, and the kettle called him at 5 min", zh = "一直在看电视，第 5 分钟水壶叫了他" }

say{
  en = [[
    All TV, no trips to the kitchen, and the water is taken the minute it boils.
    Sync or async belongs to the kettle: does it report back?
    Blocking or not belongs to Lao Zhang: does he wait doing nothing?
    In code: a callback or an event is async; join() or a read that waits is blocking.
    Threads, event loops and coroutines are ways to get the fourth case.]],
  zh = [[
    一直在看电视，一趟厨房也没跑，水一开就被拿走了。
    同步还是异步，是水壶的事：它会不会主动报告？
    阻塞还是非阻塞，是老张的事：他是不是什么都不做干等着？
    放到代码里：回调、事件是异步；join()、会等待的读操作是阻塞。
    线程、事件循环、协程，都是为了做到第四种情况。]],
}
