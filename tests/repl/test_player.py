"""The lesson player through a pty, as a teacher drives it: Enter and :next,
Lua typed at a step prompt, :back (a silent replay that arrives at the same
output, because the same seed gives the same run), :lang zh, :lessons,
:auto; and from the REPL, :lessons and :lesson N."""
import os
import re
from pty_session import Session, check

tmp = os.environ.get("TL_TMP", "/tmp")
folder = os.path.join(tmp, "player-lessons")
os.makedirs(folder, exist_ok=True)
lesson = os.path.join(folder, "01-player.lua")
race = """
g = 0
function work() for i = 1, 300000 do g = g + 1 end end
a, b = threading.Thread{target = work}, threading.Thread{target = work}
a:start(); b:start(); a:join(); b:join()
"""
with open(lesson, "w") as f:
    f.write('lesson{ title = {en = "The player", zh = "播放器"}, source = "test" }\n'
            'say{ en = "Intro in English.", zh = "中文的开场白。" }\n'
            'step{ en = "A race", zh = "竞争" }\n'
            'lab.gil{switch_points = "instruction"}\n' + race +
            'print("first race: " .. g)\n'
            'say{ en = "Once more.", zh = "再来一次。" }\n'
            'step{ en = "Another race", zh = "又一次竞争" }\n' + race +
            'print("second race: " .. g)\n'
            'say{ en = "Last words.", zh = "最后几句。" }\n'
            'step{ en = "The end", zh = "结束" }\n'
            'print("last step ran")\n'
            'expect{ ok = true, en = "all is well", zh = "一切正常" }\n')

os.environ["LANG"] = "C"
os.environ.pop("LC_ALL", None)
os.environ.pop("LC_MESSAGES", None)

s = Session("--speed", "0", lesson)
out = s.read_until(r"step 1/3> ")
check("Intro in English." in out, "English narration by default: " + out)
check("Step 1/3 · A race" in out and "lab.gil{switch_points" in out, "the step shows its code first")
check(not re.search(r"race: \d", out), "the code has not run before Enter")

s.send("\r")
out = s.read_until(r"step 2/3> ")
first = re.search(r"first race: (\d+)", out)
check(first is not None, "Enter ran step 1: " + out)

s.send("print('typed', g)\r")
out = s.read_until(r"step 2/3> ")
check("typed " + first.group(1) in out, "Lua typed at a step prompt runs in the lesson's world: " + out)

s.send(":next\r")
out = s.read_until(r"step 3/3> ")
second = re.search(r"second race: (\d+)", out)
check(second is not None, ":next ran step 2: " + out)
check(int(second.group(1)) < 600000, "the race lost updates (instruction switch points)")

s.send(":back\r")
out = s.read_until(r"step 2/3> ")
check("replayed" in out, ":back says it replayed: " + out)
check(not re.search(r"race: \d", out), "the replay up to step 2 was silent: " + out)
check("Once more." in out, "the narration that leads to step 2 is shown again")
s.send("\r")
out = s.read_until(r"step 3/3> ")
again = re.search(r"second race: (\d+)", out)
check(again is not None and again.group(1) == second.group(1),
      f"the replay reached the same run ({second.group(1)} then {again and again.group(1)})")

s.send(":lang zh\r")
out = s.read_until(r"step 3/3> ")
check("最后几句。" in out and "第 3/3 步" in out, ":lang zh repeats the narration in Chinese: " + out)

s.send(":lessons\r")
out = s.read_until(r"step 3/3> ")
check("播放器" in out and "test" in out, ":lessons lists the lessons, titles in Chinese: " + out)

s.send(":auto\r")
out = s.read_until(r"全部通过")
check("last step ran" in out, ":auto played the rest: " + out)
check(s.close() == 0, "the lesson ended with status 0")

# From the REPL: the lesson list at start (as make run shows it), then a
# lesson by its number, played through, and back to the REPL.
s = Session("--lessons")
out = s.read_until(r"\n> ")
check("Deadlock" in out and "000 §2.2" in out, "--lessons lists the lessons: " + out)
out = s.line(":lessons")
check("Creating and starting threads" in out, ":lessons in the REPL")
s.send(":lesson 4\r")
out = s.read_until(r"step 1/2> ")
check("Names and the current thread" in out, ":lesson 4 starts lesson 4")
s.send(":speed 0\r")
s.read_until(r"step 1/2> ")
s.send(":auto\r")
out = s.read_until(r"back in the REPL.*\n> ")
check("I am downloader" in out and "All 2 checks passed." in out, "played through: " + out)
check("MainThread" in s.line("threading.current_thread().name"), "the REPL answers again")
s.send(":quit\r")
check(s.close() == 0, "exit 0")
print("ok")
