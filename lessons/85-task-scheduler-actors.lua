lesson{
  title = { en = "A generator task scheduler, and actors", zh = "生成器任务调度器，以及 actor" },
  source = "002 §20.1, §20.3",
}

say{
  en = [[
    002 ch.20 builds a scheduler out of nothing but generators. Each task is a
    generator that does a little and yields. TaskScheduler keeps a queue: it takes
    a task, runs it to its next yield with next(task), and puts it back at the end;
    a task that raises StopIteration is finished and dropped. The yields are the only
    switch points, so the order is fixed: round robin.]],
  zh = [[
    002 第 20 章只用生成器搭出一个调度器。每个任务都是一个生成器，做一点事就 yield。
    TaskScheduler 维护一个队列：取出一个任务，用 next(task) 让它跑到下一个 yield，
    再放回队尾；抛出 StopIteration 的任务已经结束，直接丢掉。
    yield 是唯一的切换点，所以顺序是确定的：轮转。]],
}

step{ en = "TaskScheduler: round robin over generators", zh = "TaskScheduler：生成器轮转" }

function countdown(n)
  while n > 0 do
    print("T-minus", n)
    lab.compute(0.05)
    yield()
    n = n - 1
  end
  print("Blastoff!")
end

function countup(n)
  local x = 0
  while x < n do
    print("Counting up", x)
    lab.compute(0.05)
    yield()
    x = x + 1
  end
end

TaskScheduler = {}
TaskScheduler.__index = TaskScheduler
function TaskScheduler.new() return setmetatable({ queue = {} }, TaskScheduler) end
function TaskScheduler:new_task(task) table.insert(self.queue, task) end
function TaskScheduler:run()
  while #self.queue > 0 do
    local task = table.remove(self.queue, 1)          -- popleft
    local ok, err = pcall(next, task)                  -- run to the next yield
    if ok then
      table.insert(self.queue, task)
    elseif not (type(err) == "table" and err.type == "StopIteration") then
      error(err, 0)
    end                                                -- finished: dropped
  end
end

sched = TaskScheduler.new()
sched:new_task(generator(countdown, 3))
sched:new_task(generator(countdown, 2))
sched:new_task(generator(countup, 4))
sched:run()

expect{ printed = { "T-minus 3", "T-minus 2", "Counting up 0", "T-minus 2", "T-minus 1",
                    "Counting up 1", "T-minus 1", "Blastoff!", "Counting up 2", "Blastoff!",
                    "Counting up 3" },
        en = "the tasks take turns, exactly as python3 prints it",
        zh = "任务轮流执行，和 python3 打印的完全一样" }

say{
  en = [[
    §20.3 turns the same idea into actors: an actor is a generator that waits for a
    message at yield. ActorScheduler keeps a queue of (actor, message) pairs and
    delivers each with send. Actors talk only by sending messages through the
    scheduler, never by sharing state. counter(3) sends itself 2, then 1, then 0,
    each time greeting the two other actors.]],
  zh = [[
    §20.3 把同一个想法变成 actor：actor 是在 yield 处等消息的生成器。
    ActorScheduler 维护一个 (actor, 消息) 队列，用 send 逐个投递。
    actor 之间只通过调度器发消息交流，从不共享状态。
    counter(3) 给自己发 2、1、0，每次都顺便问候另外两个 actor。]],
}

step{ en = "ActorScheduler: messages delivered with send", zh = "ActorScheduler：用 send 投递消息" }

ActorScheduler = {}
ActorScheduler.__index = ActorScheduler
function ActorScheduler.new() return setmetatable({ actors = {}, queue = {} }, ActorScheduler) end
function ActorScheduler:new_actor(name, actor)
  table.insert(self.queue, { actor, nil })
  self.actors[name] = actor
end
function ActorScheduler:send(name, msg)
  local actor = self.actors[name]
  if actor then table.insert(self.queue, { actor, msg }) end
end
function ActorScheduler:run()
  while #self.queue > 0 do
    local item = table.remove(self.queue, 1)
    local ok, err = pcall(item[1].send, item[1], item[2])
    if not ok and not (type(err) == "table" and err.type == "StopIteration") then error(err, 0) end
  end
end

function say_hello()
  while true do
    local msg = yield()
    print("say hello", msg)
    lab.compute(0.05)
  end
end

function say_hi()
  while true do
    local msg = yield()
    print("say hi", msg)
    lab.compute(0.05)
  end
end

function counter(s)
  while true do
    local n = yield()
    print("counter:", n)
    lab.compute(0.05)
    if n == 0 then break end
    s:send("say_hello", n)
    s:send("say_hi", n)
    s:send("counter", n - 1)
  end
end

actors = ActorScheduler.new()
actors:new_actor("say_hello", generator(say_hello))
actors:new_actor("say_hi", generator(say_hi))
actors:new_actor("counter", generator(counter, actors))
actors:send("counter", 3)
actors:run()

expect{ printed = { "counter: 3", "say hello 3", "say hi 3", "counter: 2", "say hello 2",
                    "say hi 2", "counter: 1", "say hello 1", "say hi 1", "counter: 0" },
        en = "messages arrive in the order they were sent (python3 prints the same)",
        zh = "消息按发送顺序到达（python3 打印的一样）" }
expect{ ok = actors.actors.counter.closed and not actors.actors.say_hi.closed,
        en = "counter finished at 0; the greeters still wait for messages",
        zh = "counter 在 0 时结束；两个问候的 actor 还在等消息" }
