-- The lesson format, as policy. A lesson is a Lua file:
--
--   lesson{ title = {en=..., zh=...}, source = "000 §2.5", needs = {...},
--           speed = 4 }                    its own pace, unless --speed is given
--   say{ en = [[...]], zh = [[...]] }      narration
--   step{ en = "...", zh = "..." }         a pause point; it first shows the
--                                          code that follows it, up to the next step
--   ...the example code...
--   show{ python = [[...]] }               code to read, not run (the notes' Python)
--   expect{ value = g, is = 2000000, en = "...", zh = "..." }
--
-- The mechanism (the step prompt, muting the silent replay that :back
-- needs) belongs to the player, repl/player.c, which hands its functions in
-- through lesson._begin{player=...}. Without a player (dofile in the REPL)
-- nothing pauses. Narration goes straight to stdout, never through print:
-- print is what the threads of the lesson do, and the checks read it.
local C = (...).lesson_core
local sandbox = (...).sandbox
-- Taken now: a sandboxed lesson has no debug library of its own.
local debug = debug
local E = (...).errors

local lesson = {}
local S -- the lesson playing (see new_state)

local DIRECTIVES = { lesson = true, say = true, step = true, show = true, expect = true }

---------------------------------------------------------------- output

local function out(s)
  io.stdout:write(s)
  io.stdout:flush()
end

local function paint(code, s)
  if S and S.color then return "\27[" .. code .. "m" .. s .. "\27[0m" end
  return s
end
local function bold(s) return paint("1", s) end
local function dim(s) return paint("2", s) end
local function green(s) return paint("32", s) end
local function red(s) return paint("1;31", s) end

-- The text of {en=, zh=} in the language playing (a string is both).
local function tr(t, lang)
  if type(t) ~= "table" then return t ~= nil and tostring(t) or "" end
  lang = lang or (S and S.lang) or lesson.default_lang()
  return t[lang] or t.en or t.zh or ""
end

-- Narration written in an indented [[...]] block, with the indent taken off.
local function dedent(s)
  s = s:gsub("^%s*\n", ""):gsub("%s+$", "")
  local min
  for line in (s .. "\n"):gmatch("(.-)\n") do
    if line:find("%S") then
      local n = #line:match("^ *")
      if not min or n < min then min = n end
    end
  end
  if not min or min == 0 then return s end
  return (s .. "\n"):gsub("[^\n]*\n", function(line) return line:sub(min + 1) end):sub(1, -2)
end

-- Columns a string takes on a terminal: CJK characters take two.
local function width(s)
  local ok, n = pcall(function()
    local w = 0
    for _, c in utf8.codes(s) do
      local wide = c >= 0x1100 and (c <= 0x115f or (c >= 0x2e80 and c <= 0xa4cf) or
        (c >= 0xac00 and c <= 0xd7a3) or (c >= 0xf900 and c <= 0xfaff) or
        (c >= 0xfe30 and c <= 0xfe4f) or (c >= 0xff00 and c <= 0xff60) or (c >= 0xffe0 and c <= 0xffe6))
      w = w + (wide and 2 or 1)
    end
    return w
  end)
  return ok and n or #s
end

local function pad(s, w) return s .. string.rep(" ", math.max(0, w - width(s))) end

---------------------------------------------------------------- the file

local function read_file(path)
  local f = io.open(path, "r")
  if not f then return nil end
  local text = f:read("a")
  f:close()
  return text
end

local function directive_at(line)
  local word = line:match("^([%a_]+)%s*[{(\"'%[]") or line:match("^([%a_]+)%s*$")
  return word and DIRECTIVES[word] and word
end

-- The last line of the statement that begins at line s: the first e for
-- which lines s..e compile (say{...} and step{...} may span lines).
local function statement_end(lines, s)
  for e = s, math.min(#lines, s + 400) do
    if load(table.concat(lines, "\n", s, e), "=part", "t") then return e end
  end
  return s
end

-- Splits a lesson into its steps: for each, the lines of code that follow
-- it up to the next step, without the lesson's own statements (say, expect,
-- show). by_line maps every line of a step statement to its step.
local function parse(text)
  local lines = {}
  for l in (text:gsub("\r", "") .. "\n"):gmatch("(.-)\n") do lines[#lines + 1] = l end
  local parts, by_line, current, i = {}, {}, nil, 1
  while i <= #lines do
    local word = directive_at(lines[i])
    if word then
      local e = statement_end(lines, i)
      if word == "step" then
        current = { line = i, code = {} }
        parts[#parts + 1] = current
        for k = i, e do by_line[k] = current end
      end
      i = e + 1
    else
      if current then current.code[#current.code + 1] = { n = i, text = lines[i] } end
      i = i + 1
    end
  end
  for _, p in ipairs(parts) do
    local code, blank = {}, true
    for _, l in ipairs(p.code) do
      local is_blank = not l.text:find("%S")
      if not (is_blank and blank) then code[#code + 1] = l end
      blank = is_blank
    end
    while #code > 0 and not code[#code].text:find("%S") do code[#code] = nil end
    p.code = code
    p.first = code[1] and code[1].n or p.line
  end
  return parts, by_line
end

-- The step's code as the trace carries it: "NN│text" a line, so a view can
-- find the line MainThread is on (LESSON_LINE events).
local function code_text(part)
  local t = {}
  for _, l in ipairs(part.code) do t[#t + 1] = ("%d│%s"):format(l.n, l.text) end
  return table.concat(t, "\n")
end

---------------------------------------------------------------- state

function lesson.default_lang()
  for _, name in ipairs { "LC_ALL", "LC_MESSAGES", "LANG" } do
    local v = os.getenv(name)
    if v and v ~= "" then return v:match("^zh") and "zh" or "en" end
  end
  return "en"
end

local function new_state(opts)
  opts = opts or {}
  return {
    path = opts.path, lang = opts.lang or lesson.default_lang(),
    auto = opts.auto, interactive = opts.interactive, player = opts.player,
    skip_to = opts.skip_to, color = opts.color, hinted = opts.hinted,
    start_mark = C.trace_count(), part_mark = C.trace_count(),
    n = 0, total = 0, parts = {}, by_line = {},
    says = {}, intro = {}, passed = 0, failed = {}, skipped = 0,
  }
end

local function load_parts(path)
  local text = path and read_file(path)
  if text then
    S.parts, S.by_line = parse(text)
    S.total = #S.parts
  end
end

-- The state of the lesson playing; a lesson run without the player (dofile)
-- gets one on its first statement.
local function state(level)
  if not S or S.finished then
    S = new_state()
    local src = debug.getinfo(level + 1, "S").source
    if src:sub(1, 1) == "@" then
      S.path = src:sub(2)
      load_parts(S.path)
    end
  end
  return S
end

-- Whether "threading.Condition" (a dotted path from the globals) exists.
local function have(path)
  local v = _G
  for name in path:gmatch("[^.]+") do
    if type(v) ~= "table" then return false end
    v = v[name]
  end
  return v ~= nil
end

local function control(action, fields)
  local e = fields or {}
  e.type, e.action = "LessonControl", action
  return setmetatable(e, { __tostring = function() return "lesson " .. action end })
end

-- The names in needs (a string or a list) this build does not have.
local function missing(needs)
  local list = {}
  for _, need in ipairs(type(needs) == "table" and needs or { needs }) do
    if not have(need) then list[#list + 1] = need end
  end
  return #list > 0 and table.concat(list, ", ") or nil
end

local summary -- (below) the checks' verdict, printed at the end

-- A lesson, or its rest, needs what this build does not have yet: it stops
-- here, and passes if its checks so far passed.
local function stop_for(what, rest)
  out(tr(rest and {
    en = "The rest of this lesson needs " .. what .. ", which this build of threadlab does not have yet.\nThe lesson stops here.\n",
    zh = "本课接下来的部分需要 " .. what .. "，这一版 threadlab 还没有。\n本课就到这里。\n",
  } or {
    en = "This lesson needs " .. what .. ", which this build of threadlab does not have yet.\nSkipped.\n",
    zh = "本课需要 " .. what .. "，这一版 threadlab 还没有。\n跳过本课。\n",
  }))
  summary()
  S.finished = true
  error(control("skip", { missing = what, failed = #S.failed }), 0)
end

---------------------------------------------------------------- the header

local function number_of(path)
  return path and tonumber((path:match("([^/]+)$") or ""):match("^(%d+)"))
end

local function banner()
  local n = number_of(S.path)
  local word = S.lang == "zh" and (n and "第 " .. n .. " 课" or "课") or (n and "Lesson " .. n or "Lesson")
  local title = tr(S.title)
  local line = string.rep("═", math.max(40, width(title) + width(word) + 6))
  out(line .. "\n " .. bold(word .. " · " .. title) .. "\n " ..
      dim((S.lang == "zh" and "出自笔记 " or "from the notes, ") .. tostring(S.source or "")) ..
      "\n" .. line .. "\n\n")
  S.spaced = true
end

local function header(_, h)
  if type(h) ~= "table" or type(h.title) ~= "table" then
    error(ValueError("lesson{title={en=..., zh=...}, source=...} is the header"), 2)
  end
  E.kwargs("lesson", h, "title", "source", "needs", "speed", "sandbox")
  E.kwargs("lesson", h.title, "en", "zh")
  if h.speed ~= nil and (type(h.speed) ~= "number" or not (h.speed >= 0)) then
    error(ValueError("lesson{speed=...} is a pace: virtual seconds per wall second, >= 0"), 2)
  end
  state(2)
  -- A lesson from someone else can ask to be played in the sandbox
  -- (--sandbox): before any of its code runs.
  if h.sandbox then sandbox() end
  S.title, S.source, S.needs = h.title, h.source, h.needs
  -- A lesson whose story sleeps for long stretches plays faster; --speed wins.
  if h.speed and S.player and S.player.pace then S.player.pace(h.speed) end
  C.emit("title", S.total, tr(h.title) .. " (" .. tostring(h.source or "") .. ")")
  -- The window shows the line MainThread is on, from the trace.
  if type(lab._trace_lines) == "function" then lab._trace_lines(true) end
  banner()
  local what = h.needs and missing(h.needs)
  if what then stop_for(what, false) end
end

setmetatable(lesson, { __call = header })

---------------------------------------------------------------- narration and steps

-- Whether the last thing the lesson wrote ended in a blank line; the
-- program's own output and the checks between say{} blocks leave none.
local function gap()
  if not S.spaced then out("\n") end
  S.spaced = true
end

local function print_say(t)
  gap()
  out(dedent(tr(t)) .. "\n\n")
end

function lesson.say(t)
  state(2)
  if type(t) ~= "table" and type(t) ~= "string" then
    error(TypeError("say{en=..., zh=...} takes a table or a string"), 2)
  end
  if type(t) == "table" then E.kwargs("say", t, "en", "zh") end
  S.says[#S.says + 1] = t
  -- the narration panel and the recorded step markers read it from the trace
  C.emit("say", S.n, dedent(tr(t)))
  print_say(t)
end

local function step_header()
  gap()
  local st = S.current
  local count = st.n .. "/" .. math.max(S.total, st.n)
  local head = S.lang == "zh" and ("第 " .. count .. " 步 · ") or ("Step " .. count .. " · ")
  out(bold("── " .. head .. tr(st.title) .. " ──") .. "\n")
end

local function print_code(part)
  if not part or #part.code == 0 then return end
  for _, l in ipairs(part.code) do out(dim(("%4d │ "):format(l.n)) .. l.text .. "\n") end
  out("\n")
  S.spaced = true
end

local HINT = {
  en = "Enter runs the step · :back · :auto · :lang zh · :lessons · :help · or type Lua",
  zh = "回车运行这一步 · :back 上一步 · :auto 自动播放 · :lang en · :lessons · :help · 也可以输入 Lua",
}

-- Waits at a pause point, unless the lesson plays through. back_to is the
-- step :back replays to (0: the lesson from the start).
local function pause(prompt, back_to)
  if S.auto or not S.interactive or not S.player then return end
  if not S.hinted then
    out(dim(tr(HINT)) .. "\n")
    S.hinted = true
  end
  if S.player.pause(prompt, back_to) == "auto" then S.auto = true end
end

function lesson.step(title)
  state(2)
  if title == nil or (type(title) ~= "string" and type(title) ~= "table") then
    error(TypeError('step "title" or step{en=..., zh=...}'), 2)
  end
  local what = type(title) == "table" and title.needs and missing(title.needs)
  if what then
    S.skip_to = nil
    if S.player then S.player.unmute(S.n) end
    gap()
    stop_for(what, true)
  end
  S.n = S.n + 1
  local line = debug.getinfo(2, "l").currentline
  local part = S.by_line[line]
  S.current = { n = S.n, title = title, part = part }
  S.intro, S.says = S.says, {}
  S.part_mark = C.trace_count()
  C.emit("step", S.n, tr(title))
  if part then C.emit("code", part.first, code_text(part)) end
  if S.skip_to then
    if S.n < S.skip_to then return end
    -- The silent replay has arrived: show the narration that leads here.
    S.skip_to = nil
    if S.player then S.player.unmute(S.n) end
    out(dim(tr { en = "(replayed from the start to here: the same seed gives the same run)",
                 zh = "（从头重放到这里：同一个种子，同样的运行）" }) .. "\n\n")
    for _, t in ipairs(S.intro) do print_say(t) end
  end
  step_header()
  print_code(part)
  pause(("step %d/%d> "):format(S.n, math.max(S.total, S.n)), S.n - 1)
  S.spaced = false -- the step's code prints next
end

-- show[[code]] or show{python=[[...]], title={en=,zh=}}: code to read.
function lesson.show(t)
  state(2)
  local title, code
  if type(t) == "string" then
    code = t
  elseif type(t) == "table" then
    code = t.python or t.code or t[1]
    title = t.title or (t.python and { en = "Python, as the notes have it:", zh = "笔记里的 Python：" })
  end
  if type(code) ~= "string" then error(TypeError("show[[code]] or show{python=[[...]]}"), 2) end
  gap()
  if title then out(dim(tr(title)) .. "\n") end
  for l in (dedent(code) .. "\n"):gmatch("(.-)\n") do out(dim("     │ ") .. l .. "\n") end
  out("\n")
  S.spaced = true
end

-- :lang while paused: the narration that led to this step, again.
function lesson._relang(lang)
  if not S then return end
  S.lang = lang
  out("\n")
  for _, t in ipairs(S.intro) do
    C.emit("say", S.n, dedent(tr(t)))
    print_say(t)
  end
  if S.current and not S.finished_steps then step_header() end
end

---------------------------------------------------------------- checks

local function show_value(v)
  if type(v) == "string" then return ("%q"):format(v) end
  if math.type(v) == "float" then return ("%.6g"):format(v) end
  return tostring(v)
end

local function record(t, line, ok, auto_what, detail, skipped)
  local what = (t.en or t.zh) and tr { en = t.en or t.zh, zh = t.zh or t.en } or auto_what
  S.spaced = false
  if skipped then
    S.skipped = S.skipped + 1
    out(dim("  – " .. what .. " (" .. skipped .. ")") .. "\n")
    C.emit("check", line, "skipped: " .. what)
  elseif ok then
    S.passed = S.passed + 1
    out(green("  ✓ ") .. what .. "\n")
    C.emit("check", line, "ok: " .. what)
  else
    S.failed[#S.failed + 1] = ("line %d: %s: %s"):format(line, what, detail)
    out(red("  ✗ " .. what) .. "\n    " .. detail .. "\n")
    C.emit("check", line, "FAILED: " .. what .. ": " .. detail)
  end
end

local function in_order(lines, want)
  local k = 1
  for _, l in ipairs(lines) do
    if k <= #want and l == want[k] then k = k + 1 end
  end
  return k > #want, want[k]
end

-- The first report naming every word in parts; with cycles_only, a hang
-- report ("hang: go1 waits for a notify nobody can send ...") does not
-- count, and with hangs_only only a hang report does.
local function find_report(texts, parts, cycles_only, hangs_only)
  for _, text in ipairs(texts) do
    local hang = text:sub(1, 5) == "hang:"
    local all = not (cycles_only and hang) and not (hangs_only and not hang)
    for _, p in ipairs(parts) do
      if not text:find(p, 1, true) then all = false end
    end
    if all then return text end
  end
end

-- expect{...}: what the run must show, checked here, where it stands.
--   value=, is=, near=     a value equals (within near)
--   value=, min=, max=     a value lies in a range
--   ok=                    a condition holds
--   printed={...}          these lines were printed in this order (since the step began)
--   not_printed={...}      none of these lines was printed (since the step began)
--   count={pattern, n}     n printed lines (since the step began) match the Lua pattern
--   deadlock=true|{...}    a deadlock (a cycle) was reported (naming these words)
--   hang=true|{...}        a hang was reported: nothing can run again, with
--                          no cycle (a lost notification), naming these words
--   deadlock_cycle={...}   the deadlock detector named this cycle (words)
--   needs="threading.X"    check only where the build has it
--   en=, zh=               what is checked, in words
function expect(t)
  state(2)
  if type(t) ~= "table" then error(TypeError("expect{...} takes a table"), 2) end
  E.kwargs("expect", t, "value", "is", "near", "min", "max", "ok", "printed", "not_printed",
           "count", "deadlock", "hang", "deadlock_cycle", "needs", "en", "zh")
  if t.count ~= nil and (type(t.count) ~= "table" or type(t.count[1]) ~= "string") then
    E.argerror("expect", "count", "{pattern, n}", t.count)
  end
  if t.count ~= nil then
    t.count[2] = E.whole("expect", "count[2]", t.count[2])
    local ok, why = pcall(string.find, "", t.count[1])
    if not ok then
      if type(why) == "table" then why = why.message end
      error(ValueError("expect{count=...}: bad pattern " .. ("%q"):format(t.count[1]) .. ": " ..
                       (tostring(why):gsub("^.-:%d+: ", ""))), 2)
    end
  end
  for _, k in ipairs{ "printed", "not_printed", "deadlock_cycle" } do
    if t[k] ~= nil and type(t[k]) ~= "table" then E.argerror("expect", k, "a table of lines", t[k]) end
  end
  local line = debug.getinfo(2, "l").currentline
  if t.needs ~= nil and not (t.needs == true or (type(t.needs) == "string" and have(t.needs))) then
    record(t, line, true, "check", nil, tr {
      en = "skipped: needs " .. tostring(t.needs), zh = "跳过：需要 " .. tostring(t.needs) })
    return
  end
  local lines = C.printed(S.part_mark)
  if t.is ~= nil then
    local v, ok = t.value, t.value == t.is
    if not ok and t.near and type(v) == "number" and type(t.is) == "number" then
      ok = math.abs(v - t.is) <= t.near
    end
    record(t, line, ok, "value is " .. show_value(t.is),
           ("got %s, want %s%s"):format(show_value(v), show_value(t.is), t.near and " ± " .. t.near or ""))
  end
  if t.min ~= nil or t.max ~= nil then
    local v = t.value
    local ok = type(v) == "number" and (t.min == nil or v >= t.min) and (t.max == nil or v <= t.max)
    record(t, line, ok, "value in range", ("got %s, want %s..%s"):format(show_value(v),
           tostring(t.min or ""), tostring(t.max or "")))
  end
  if t.ok ~= nil then
    record(t, line, not not t.ok, "condition holds", "the condition is false")
  end
  if t.printed then
    local ok, missing = in_order(lines, t.printed)
    record(t, line, ok, "printed " .. #t.printed .. " lines in order",
           ("%q was not printed in this order; printed: %s"):format(tostring(missing),
             table.concat(lines, " | "):sub(1, 400)))
  end
  if t.not_printed then
    local bad
    for _, l in ipairs(lines) do
      for _, w in ipairs(t.not_printed) do if l == w then bad = bad or l end end
    end
    record(t, line, not bad, "some lines never printed", ("%q was printed"):format(tostring(bad)))
  end
  if t.count then
    local n = 0
    for _, l in ipairs(lines) do if l:find(t.count[1]) then n = n + 1 end end
    record(t, line, n == t.count[2], ("%d lines like %q"):format(t.count[2], t.count[1]),
           ("got %d lines like %q, want %d"):format(n, t.count[1], t.count[2]))
  end
  for _, k in ipairs{ "deadlock", "hang", "deadlock_cycle" } do
    if type(t[k]) == "table" then
      for _, w in ipairs(t[k]) do
        if type(w) ~= "string" then E.argerror("expect", k, "a table of words (strings)", w) end
      end
    end
  end
  if t.deadlock then
    local texts = C.deadlocks(S.start_mark)
    local words = type(t.deadlock) == "table" and t.deadlock or {}
    record(t, line, find_report(texts, words, true) ~= nil, "a deadlock was found",
           #texts == 0 and "no deadlock was reported"
             or "no deadlock report names " .. table.concat(words, ", ") .. ": " .. table.concat(texts, " | "))
  end
  if t.hang then
    local texts = C.deadlocks(S.start_mark)
    local words = type(t.hang) == "table" and t.hang or {}
    record(t, line, find_report(texts, words, false, true) ~= nil, "a hang was found",
           #texts == 0 and "no hang was reported"
             or "no hang report names " .. table.concat(words, ", ") .. ": " .. table.concat(texts, " | "))
  end
  if t.deadlock_cycle then
    local texts = C.deadlocks(S.start_mark)
    local found = find_report(texts, t.deadlock_cycle, true)
    local only_hangs = not found and #texts > 0 and not find_report(texts, {}, true)
    record(t, line, found ~= nil, "the deadlock cycle is named",
           "no deadlock report names " .. table.concat(t.deadlock_cycle, ", ") .. ": " .. table.concat(texts, " | "),
           only_hangs and tr { en = "this build reports the hang, not yet the cycle",
                               zh = "这一版只报告“卡住”，还不会指出环" } or nil)
  end
end

---------------------------------------------------------------- the player's side

-- Called by the player before it runs a lesson file.
--   path, lang, auto, interactive, skip_to (replay silently up to that
--   step), player ({pause=, unmute=}), color
function lesson._begin(opts)
  S = new_state(opts)
  load_parts(S.path)
end

-- Called by the player when the lesson file has run to its end; returns how
-- many checks failed.
function lesson._finish()
  if not S then return 0 end
  if S.skip_to and S.player then S.player.unmute(S.n) end -- fewer steps than asked for
  S.skip_to = nil
  summary()
  S.finished_steps = true
  if S.interactive and not S.auto and S.player then
    out(dim(tr { en = "End of the lesson. Enter leaves; :back replays the last step; :lessons lists the others.",
                 zh = "本课结束。回车退出；:back 重放最后一步；:lessons 列出其他课。" }) .. "\n")
    S.player.pause("end> ", S.n)
  end
  -- Threads caught in a deadlock would keep the program from ending.
  if #C.deadlocks(S.start_mark) > 0 then lab._cancel_others() end
  S.finished = true
  return #S.failed
end

-- How many checks passed or failed; failures again on stderr, for a test log.
function summary()
  local total = S.passed + #S.failed
  if total > 0 then
    local msg = #S.failed == 0 and green("✓ ") .. tr {
      en = ("All %d checks passed."):format(total), zh = ("%d 项检查全部通过。"):format(total) }
      or red("✗ ") .. tr {
      en = ("%d of %d checks failed."):format(#S.failed, total),
      zh = ("%d 项检查中有 %d 项没有通过。"):format(total, #S.failed) }
    gap()
    out(msg .. "\n")
  end
  if #S.failed > 0 then
    io.stderr:write(("lesson FAILED: %s: %d of %d checks failed\n  %s\n"):format(
      tostring(S.path), #S.failed, total, table.concat(S.failed, "\n  ")))
  end
end

function lesson._lang() return S and S.lang or lesson.default_lang() end

---------------------------------------------------------------- the catalog

-- The lessons in a folder: {n=, file=, title=, source=} from each header.
-- A header is read by running the file in an empty world up to its first
-- statement, lesson{...}, which is all it needs.
function lesson.catalog(dir)
  local names, err = C.list(dir)
  if not names then return nil, err end
  local list = {}
  for _, name in ipairs(names) do
    local file = dir .. "/" .. name
    local text = read_file(file)
    local h
    if text then
      local env = setmetatable({}, { __index = function() error("not a header", 0) end })
      env.lesson = function(t) h = t; error("header read", 0) end
      local chunk = load(text, "=" .. name, "t", env)
      if chunk then pcall(chunk) end
    end
    if type(h) == "table" then
      list[#list + 1] = { n = number_of(name), file = file, title = h.title, source = h.source }
    end
  end
  return list
end

function lesson.print_catalog(dir, lang)
  local list, err = lesson.catalog(dir)
  lang = lang or lesson._lang()
  if not list then
    out(tostring(err) .. "\n")
    return
  end
  local w = 0
  for _, e in ipairs(list) do w = math.max(w, width(tr(e.title, lang))) end
  out(bold(lang == "zh" and "课程（" .. dir .. "）" or "Lessons (" .. dir .. ")") .. "\n")
  for _, e in ipairs(list) do
    out(("  %3s  %s  %s\n"):format(tostring(e.n or ""), pad(tr(e.title, lang), w), dim(tostring(e.source or ""))))
  end
  out(dim(lang == "zh" and ":lesson N 播放第 N 课（或：threadlab lessons/NN-名字.lua）"
                       or ":lesson N plays lesson N (or: threadlab lessons/NN-name.lua)") .. "\n")
end

-- The file of lesson `key` (its number, or a word of its file name).
function lesson.find(dir, key)
  local list = lesson.catalog(dir) or {}
  local n = tonumber(key)
  for _, e in ipairs(list) do
    if (n and e.n == n) or (not n and e.file:find(tostring(key), 1, true)) then return e.file end
  end
  return nil
end

say, step, show = lesson.say, lesson.step, lesson.show
lesson.expect = expect
lesson._parse = parse -- for the lesson fuzz target (tests/fuzz)
return lesson
