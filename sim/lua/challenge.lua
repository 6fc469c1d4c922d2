-- Challenges, as policy: the learner is the scheduler. A challenge is a
-- Lua file in lessons/challenges/ that begins with
--
--   challenge{ title = {en=, zh=}, goal = function() ... end,
--              goal_text = {en=, zh=}, hint = {en=, zh=},
--              switch_points = "statement"|"instruction", max_steps = N,
--              solution = "T2 T3 T2 T3" }
--
-- followed by the code that starts the threads. Under manual scheduling
-- each thread stops before its first line; a move runs one thread one
-- statement (lab.run). The challenge's threads are T2, T3, ... in the order
-- they were made, as :threads names them in a fresh world. The mechanism
-- (a fresh world for :undo, the command line, the REPL's commands) is the
-- front's, repl/challenge.c; searching for a schedule reuses lab.explore's
-- way of running a scenario again and again in one world.
local parts = ...
local lab, E, lesson = parts.lab, parts.errors, parts.lesson
local core = parts.threading._core
local lesson_core = parts.lesson_core

local challenge = {}
local C -- the challenge playing (see header)
local quiet = false -- replays for :undo and the search say nothing

local function out(s)
  if quiet then return end
  io.stdout:write(s)
  io.stdout:flush()
end

local function tr(t)
  if type(t) ~= "table" then return t ~= nil and tostring(t) or "" end
  local lang = lesson._lang()
  return t[lang] or t.en or t.zh or ""
end

local POINTS = { statement = true, instruction = true }

---------------------------------------------------------------- steps inside a statement

-- Under switch_points = "instruction" the globals the challenge's code
-- makes (numbers, strings, booleans) are shared variables: each read and
-- each write of one is a move of its own, so g = g + 1 is two moves, its
-- read into a temporary and its write, as CPython up to 3.9 could switch
-- between them. The values live in `split.store`; _G's metatable sends
-- their reads and writes through `accessed`, which ends the move there.
local split -- { names = {}, store = {} } while a challenge splits
local SHARED = { number = true, string = true, boolean = true }

local function unsplit()
  if not split then return end
  setmetatable(_G, nil)
  for k in pairs(split.names) do rawset(_G, k, split.store[k]) end
  split = nil
end

local function accessed(kind, k, v)
  local tid = parts.threading.current_thread()._tid
  if not tid or not C then return end
  if kind == "read" then
    C.temp[tid] = { k, v }
  else
    if C.temp[tid] and C.temp[tid][1] == k then C.temp[tid] = nil end
    C.writes[k] = (C.writes[k] or 0) + 1
  end
  C.last[tid] = { kind, k, v }
  lab._pause()
end

local function split_globals()
  if C.spec.switch_points ~= "instruction" then return end
  local names, store = {}, {}
  for k, v in pairs(_G) do
    if not C.before[k] and SHARED[type(v)] then names[k], store[k] = true, v end
  end
  for k in pairs(names) do rawset(_G, k, nil) end
  split = { names = names, store = store }
  setmetatable(_G, {
    __index = function(_, k)
      if not names[k] then return nil end
      local v = store[k]
      accessed("read", k, v)
      return v
    end,
    __newindex = function(_, k, v)
      if not names[k] then return rawset(_G, k, v) end
      store[k] = v
      accessed("write", k, v)
    end,
  })
end

-- How many times the challenge's threads wrote global `name` (for goals:
-- "g is 1 after two increments").
function challenge.writes(name) return C and C.writes[name] or 0 end

-- The header: checks the form, then makes every thread the code starts
-- stop before its first line.
local function header(t)
  if type(t) ~= "table" then E.argerror("challenge", "header", "a table", t) end
  E.kwargs("challenge", t, "title", "goal", "goal_text", "hint", "switch_points", "max_steps",
           "solution")
  if type(t.goal) ~= "function" then
    error(TypeError("challenge(): goal must be a function, got " .. type(t.goal)), 2)
  end
  if t.solution ~= nil and type(t.solution) ~= "string" then
    error(TypeError("challenge(): solution must be a string like \"T2 T3\", got " .. type(t.solution)), 2)
  end
  local max = E.whole("challenge", "max_steps", t.max_steps or 12)
  if max < 1 or max > 40 then error(ValueError("challenge(): max_steps must be in 1..40"), 2) end
  local points = t.switch_points or "statement"
  if not POINTS[points] then
    error(ValueError("challenge(): switch_points must be 'statement' or 'instruction', not "
                     .. tostring(points)), 2)
  end
  local before = 0
  for _, s in ipairs(core.states()) do before = math.max(before, s.id) end
  local was = split and split.names or {}
  unsplit() -- a run before this one, in this world (the search)
  local names = {}
  for k in pairs(_G) do names[k] = not was[k] or nil end
  C = { spec = t, max = max, base = before, moves = {}, mark = lesson_core.trace_count(),
        reached = nil, path = C and C.path, lines = C and C.lines, before = names,
        temp = {}, writes = {}, last = {} }
  local clock = lab.clock()
  if clock.clock ~= "virtual" then lab.clock{ clock = "virtual" } end
  lab.gil{ switch_points = points }
  lab.clock{ sched = "manual" }
end
setmetatable(challenge, { __call = function(_, t) return header(t) end })

-- The challenge's threads: trace ids of the threads made since the header,
-- oldest first (T2 is the first).
local function ids()
  if C.ids then return C.ids end
  local list = {}
  for _, s in ipairs(core.states()) do
    if s.id > C.base then list[#list + 1] = s.id end
  end
  table.sort(list)
  C.ids = list
  return list
end

local function state_of(id)
  for _, s in ipairs(core.states()) do
    if s.id == id then return s end
  end
end

-- "T3" -> its trace id; a ValueError names the threads there are.
local function thread_id(name)
  local n = type(name) == "string" and tonumber(name:match("^[Tt](%d+)$"))
  local list = ids()
  local id = n and list[n - 1]
  if not id then
    local names = {}
    for i = 1, #list do names[i] = "T" .. (i + 1) end
    error(ValueError(("no thread %s in this challenge (its threads: %s)"):format(
      tostring(name), table.concat(names, " "))), 0)
  end
  return id
end

-- A deadlock or a hang was found since the header (for goals).
function challenge.stuck()
  return C ~= nil and #lesson_core.deadlocks(C.mark) > 0
end

-- What thread "T2" is doing ("ready", "waiting on Condition ...",
-- "ended"), for goals.
function challenge.state(name)
  local s = state_of(thread_id(name))
  return s and s.state or "ended"
end

local function goal_holds()
  local ok, v = pcall(C.spec.goal)
  return ok and v and true or false
end

local function line_of(id)
  local s = state_of(id)
  return s and s.where and tonumber(s.where:match(":(%d+)$"))
end

local function code_line(n)
  local l = n and C.lines and C.lines[n]
  return l and l:gsub("^%s+", "") or ""
end

local function schedule() return table.concat(C.moves, " ") end

-- One move: `name` runs one statement. Says what it did and whether the
-- goal now holds.
function challenge.move(name)
  if not (C and C.spec) then
    error(RuntimeError("no challenge is playing in this world (after :reset, :undo starts it again)"), 0)
  end
  local id = thread_id(name)
  local tname = "T" .. (tonumber(name:match("%d+")))
  if not state_of(id) then error(RuntimeError(tname .. " cannot move: it has ended"), 0) end
  local from = line_of(id)
  C.moves[#C.moves + 1] = tname
  C.last[id] = nil
  local ok, e = pcall(lab._move, id, "#" .. #C.moves, split ~= nil)
  if not ok then
    C.moves[#C.moves] = nil
    error(e, 0)
  end
  local s, to = state_of(id), line_of(id)
  local now
  if not s then now = tr { en = "and ended", zh = "然后结束了" }
  elseif s.state ~= "ready" and s.state ~= "running" then now = "— " .. s.state
  else now = tr { en = "now at line ", zh = "现停在第 " } .. tostring(to) ..
             tr { en = "", zh = " 行" } end
  local a = C.last[id]
  if a and a[1] == "read" then
    out(("#%d %s %s %s (%s) %s  %s\n"):format(#C.moves, tname, tr { en = "reads", zh = "读取" },
        a[2], tostring(a[3]), tr { en = "into a temporary", zh = "到临时变量" }, code_line(to)))
  elseif a then
    out(("#%d %s %s %s = %s  %s\n"):format(#C.moves, tname, tr { en = "writes", zh = "写入" },
        a[2], tostring(a[3]), code_line(to)))
  else
    out(("#%d %s: %s %s  %s\n"):format(#C.moves, tname,
        tr { en = "ran line", zh = "执行了第" } .. " " .. tostring(from) .. tr { en = "", zh = " 行" },
        code_line(from), now))
  end
  if not C.reached and goal_holds() then
    C.reached = #C.moves
    out(tr { en = "Goal reached in ", zh = "目标达成，用了 " } .. #C.moves ..
        tr { en = " moves: ", zh = " 步：" } .. schedule() .. "\n")
  end
  return C.reached ~= nil
end

-- Goes on to the end (every thread of the challenge joined; a deadlock or
-- hang ends it too), then checks the goal. The thread that made the last
-- move runs on first, as CPython's running thread keeps the GIL until it
-- blocks, ends or is asked to drop it: the moves, not a switch at the
-- moment they ran out, decide where the threads interleave. With no moves
-- T2 runs first, as a started thread does in CPython (start() waits for
-- it to run). Then the seeded scheduler runs the rest.
local RUN_ON = 10000 -- statements, about what a thread runs in a 5 ms switch interval
local function finish()
  local first = C.moves[#C.moves] or (#ids() > 0 and "T2")
  if first and state_of(thread_id(first)) then pcall(lab.run, thread_id(first), RUN_ON) end
  lab.clock{ sched = "auto" }
  local want = {}
  for _, id in ipairs(ids()) do want[id] = true end
  for _, t in ipairs(parts.threading.enumerate()) do
    if t._tid and want[t._tid] then pcall(t.join, t) end
  end
  lab._cancel_others()
  if not C.reached and goal_holds() then C.reached = #C.moves end
  return C.reached
end

local function words(moves)
  local list = {}
  for w in tostring(moves or ""):gmatch("%S+") do list[#list + 1] = w end
  return list
end

-- Runs the file: its header, then the code that starts the threads.
local function begin(chunk)
  chunk()
  if not (C and C.spec) then error(RuntimeError("the file has no challenge{...} header"), 0) end
  split_globals()
end

-- Runs the challenge chunk, then the moves, then the rest to its end.
-- Returns the move that reached the goal (nil when none did), or false and
-- the number of the move that could not be made and why.
local function run(chunk, moves)
  begin(chunk)
  for i, m in ipairs(moves) do
    local ok, e = pcall(challenge.move, m)
    if not ok then
      lab._cancel_others()
      return false, i, e
    end
  end
  return finish()
end

-- threadlab --moves "T2 T3 ...": 0 when the goal was reached, else 1.
function challenge._replay(chunk, path, moves)
  challenge._load(path)
  local reached, bad, why = run(chunk, words(moves))
  if reached == false then
    print(("move %d (%s) cannot be made: %s"):format(bad, words(moves)[bad], tostring(why)))
    print("goal not reached")
    return 1
  end
  if reached then
    print(("goal reached in %d moves"):format(reached))
    return 0
  end
  print("goal not reached")
  return 1
end

-- The shortest schedule (as a string) that reaches the goal within
-- max_steps moves, or nil. Breadth first: every schedule one move longer
-- than the last round's, each run from the start in this world, as
-- lab.explore runs its scenario again; a move that cannot be made ends
-- its branch.
function challenge._search(chunk)
  local was, print_ = quiet, print
  quiet = true
  print = function() end -- what the threads print, run after run, is not the answer
  local saved = lab.clock()
  lab.clock{ speed = 0 }
  local ok, found, max = pcall(function()
    begin(chunk)
    local n, max = #ids(), C.max
    lab._cancel_others()
    local frontier = { {} }
    for _ = 1, max do
      local next = {}
      for _, prefix in ipairs(frontier) do
        for k = 1, n do
          local moves = { table.unpack(prefix) }
          moves[#moves + 1] = "T" .. (k + 1)
          lab.clock{ seed = saved.seed } -- each run as a fresh world's: the same seed
          local reached = run(chunk, moves)
          if reached then
            lab._cancel_others()
            return table.concat(moves, " ", 1, reached), max
          end
          if reached == nil then next[#next + 1] = moves end
        end
      end
      frontier = next
      if #frontier == 0 then break end
    end
    return nil, max
  end)
  quiet, print = was, print_
  lab._cancel_others()
  lab.clock{ speed = saved.speed, seed = saved.seed }
  if not ok then error(found, 0) end
  return found, max
end

function challenge._solve(chunk, path)
  challenge._load(path)
  local found, max = challenge._search(chunk)
  if found then
    print("solution: " .. found)
    return 0
  end
  print(("no solution within %d moves"):format(max))
  return 1
end

-- The file's lines, for saying what a move ran.
function challenge._load(path)
  local lines = {}
  local f = path and io.open(path, "r")
  if f then
    for l in f:lines() do lines[#lines + 1] = l end
    f:close()
  end
  C = C or {}
  C.path, C.lines = path, lines
end

-- The code after the header, each thread's name beside the line it
-- stands at (the line it runs next).
local function code_view()
  local first = 1
  for i, l in ipairs(C.lines) do
    if l:match("^challenge%s*[{(]") then
      for e = i, #C.lines do
        if load(table.concat(C.lines, "\n", i, e), "=header", "t") then first = e + 1; break end
      end
      break
    end
  end
  local at = {}
  for k, id in ipairs(ids()) do
    local n = line_of(id)
    if n then at[n] = (at[n] and at[n] .. " " or "") .. "T" .. (k + 1) end
  end
  local w = 0
  for _, v in pairs(at) do w = math.max(w, #v) end
  local held = {} -- each line's pending temporaries: "(T2 holds g = 0)"
  for k, id in ipairs(ids()) do
    local tmp, n = C.temp[id], line_of(id)
    if tmp and n then
      held[n] = (held[n] or "") .. ("   (T%d %s %s = %s)"):format(k + 1,
        tr { en = "holds", zh = "手里的" }, tmp[1], tostring(tmp[2]))
    end
  end
  -- the window's narration box shows the same, without the comments,
  -- under the goal (or the schedule that reached it)
  local shown = { C.reached and (tr { en = "Goal reached: ", zh = "目标达成：" } ..
                                 table.concat(C.moves, " ", 1, C.reached))
                  or tr { en = "Goal: ", zh = "目标：" } .. tr(C.spec.goal_text) }
  for i = first, #C.lines do
    local mark = at[i] and (at[i] .. string.rep(" ", w - #at[i]) .. " >") or string.rep(" ", w + 2)
    out(("  %s %3d  %s%s\n"):format(mark, i, C.lines[i], held[i] or ""))
    if C.lines[i]:find("%S") and not C.lines[i]:match("^%s*%-%-") then
      shown[#shown + 1] = ("%s %s%s"):format(mark, C.lines[i], held[i] or "")
    end
  end
  if not quiet then lab.narrate(table.concat(shown, "\n")) end
end

local function names()
  local list = {}
  for k = 1, #ids() do list[k] = "T" .. (k + 1) end
  return table.concat(list, " ")
end

local function intro()
  out(tr { en = "Challenge: ", zh = "挑战：" } .. tr(C.spec.title) .. "\n")
  out(tr { en = "Goal: ", zh = "目标：" } .. tr(C.spec.goal_text) .. "\n")
  if split then
    out(tr { en = "A move here is one read or one write of a shared global: g = g + 1 is two.\n",
             zh = "这里的一步是对共享全局变量的一次读或一次写：g = g + 1 是两步。\n" })
  end
  out(tr { en = ("You are the scheduler. %s wait before their first line: :run T2 runs T2 one statement\n"
                 .. "(keys 1-9 in the window); :undo takes a move back, :hint helps, :solve gives up.\n"):format(names()),
           zh = ("你就是调度器。%s 停在各自的第一行之前：:run T2 让 T2 执行一条语句\n"
                 .. "（窗口里按数字键 1-9 也行）；:undo 撤回一步，:hint 看提示，:solve 认输看答案。\n"):format(names()) })
end

local function start(chunk, path)
  challenge._load(path)
  begin(chunk)
end

-- The REPL: the challenge starts, its threads stopped.
function challenge._play(chunk, path)
  start(chunk, path)
  intro()
  code_view()
  return 0
end

-- :undo (and :solve's way back): the moves again, silently, in a fresh world.
local function replay_quietly(chunk, path, moves, say)
  start(chunk, path)
  quiet = true
  local ok, e = pcall(function() for _, m in ipairs(words(moves)) do challenge.move(m) end end)
  quiet = false
  if not ok then error(e, 0) end
  if say then
    out(tr { en = "Back to move ", zh = "回到第 " } .. #C.moves .. tr { en = "", zh = " 步" } ..
        (#C.moves > 0 and ": " .. schedule() or "") .. "\n")
    code_view()
  end
  return 0
end
function challenge._undo(chunk, path, moves) return replay_quietly(chunk, path, moves, true) end
function challenge._undo_quiet(chunk, path, moves) return replay_quietly(chunk, path, moves, false) end

-- :solve: the schedule found, move by move, in a fresh world.
function challenge._show(chunk, path, moves)
  start(chunk, path)
  for _, m in ipairs(words(moves)) do challenge.move(m) end
  if not C.reached then finish() end
  if C.reached then
    out(tr { en = "Goal reached in ", zh = "目标达成，用了 " } .. C.reached ..
        tr { en = " moves: ", zh = " 步：" } .. table.concat(C.moves, " ", 1, C.reached) .. "\n")
  end
  return 0
end

-- :run T2 [n]: n moves of T2, then where every thread stands.
function challenge._moves(name, n)
  for _ = 1, n or 1 do
    if challenge.move(name) then break end
  end
  code_view()
end

function challenge._hint()
  if not (C and C.spec) then return out("no challenge is playing in this world (after :reset, :undo starts it again)\n") end
  out(tr { en = "Hint: ", zh = "提示：" } .. tr(C.spec.hint) .. "\n")
end

function challenge._schedule(drop_last)
  if not C then return "" end
  local n = #C.moves - (drop_last and 1 or 0)
  return table.concat(C.moves, " ", 1, math.max(n, 0))
end

-- :lessons lists the challenges of dir under their own heading, each by
-- its header (read by running the file up to its first statement, as
-- lesson.catalog reads a lesson's).
function challenge.print_catalog(dir)
  local names = lesson_core.list(dir)
  if not names or #names == 0 then return end
  out(tr { en = "Challenges (", zh = "挑战（" } .. dir .. tr { en = "): you are the scheduler\n",
                                                              zh = "）：你来当调度器\n" })
  for _, name in ipairs(names) do
    local f, h = io.open(dir .. "/" .. name, "r"), nil
    if f then
      local env = setmetatable({}, { __index = function() error("not a header", 0) end })
      env.challenge = function(t) h = t; error("header read", 0) end
      local chunk = load(f:read("a"), "=" .. name, "t", env)
      f:close()
      if chunk then pcall(chunk) end
    end
    if type(h) == "table" then
      out(("  %3s  %s: %s\n"):format(name:match("^(%d+)") or "", tr(h.title), tr(h.goal_text)))
    end
  end
  out(tr { en = "threadlab " .. dir .. "/NN-name.lua plays one (:run T2, :undo, :hint, :solve)\n",
           zh = "threadlab " .. dir .. "/NN-名字.lua 开始一个挑战（:run T2、:undo、:hint、:solve）\n" })
end

return challenge
