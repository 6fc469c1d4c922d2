"""A challenge at the REPL: the learner moves the threads (:run T2), takes a
move back (:undo, a replay in a fresh world), asks for the hint, and gives
up (:solve plays the shortest winning schedule)."""
import os
from pty_session import Session, check

f = "lessons/challenges/01-lost-update.lua"
s = Session(f)
intro = s.read_until(r"\n> ")
check("Goal: both threads add 1" in intro, "the goal is announced: " + intro)
check("T2 T3 wait before their first line" in intro, "the threads are named: " + intro)
check("one read or one write" not in intro, "a move is a statement here: " + intro)
check("T2 T3 >  17" in intro, "the code view shows both threads at line 17: " + intro)
out = s.line(":run T2")
check("#1 T2: ran line 17 local tmp = g  now at line 18" in out, "a move says what it ran: " + out)
check("T2 > " in out and "T3 > " in out, "the code view follows: " + out)
out = s.line(":run T2")
check("#2 T2: ran line 18" in out, "T2 wrote: " + out)
out = s.line(":undo")
check("Back to move 1: T2" in out, ":undo replays one move less: " + out)
check("\n0\r\n" in s.line("g"), "after :undo, g is 0 again (T2 only read it)")
out = s.line(":run T3")
check("#2 T3: ran line 17" in out, "T3 read g too: " + out)
out = s.line(":run T2")
out += s.line(":run T3")
check("Goal reached in 4 moves: T2 T3 T2 T3" in out, "the goal is reached and said: " + out)
check("\n1\r\n" in s.line("g"), "g is 1 after two increments")
out = s.line(":hint")
check("Hint: g = g + 1 is a read and then a write" in out, ":hint: " + out)
check("usage: :run T2 [n]" in s.line(":run"), ":run alone explains itself")
check("usage: :run T2 [n]" in s.line(":run T2 0"), ":run T2 0 explains itself")
out = s.line(":run T9")
check("no thread T9 in this challenge (its threads: T2 T3)" in out, "a wrong name is explained: " + out)
out = s.line(":solve")
check("solution: T2 T3" in out, ":solve finds the 2-move schedule: " + out)
check("Goal reached in 2 moves: T2 T3" in out, ":solve plays it: " + out)
check("\n1\r\n" in s.line("g"), "g is 1 after :solve's replay")
svg = os.path.join(os.environ.get("TL_TMP", "/tmp"), "solved.svg")
check("recorded" in s.line(":record " + svg), ":record the solved challenge")
text = open(svg).read()
check(">#1<" in text and ">#2<" in text and ">#3<" not in text, "its moves are markers #1 #2 in the SVG")
out = s.line(":lessons")
check("Challenges (lessons/challenges): you are the scheduler" in out, ":lessons has a heading for challenges: " + out)
check("03  Two locks, two orders: a deadlock: each thread holds one lock" in out, "each challenge listed: " + out)
check(out.index("Lessons (") < out.index("Challenges ("), "after the lessons")
# :reset leaves a fresh world without the challenge; :undo starts it again
s.line(":reset")
check(":undo starts it again" in s.line(":run T2"), ":run after :reset explains")
check("Back to move 0" in s.line(":undo"), ":undo after :reset starts the challenge again")
check("#1 T2: ran line 17" in s.line(":run T2"), "and moves go on")
s.send(":quit\r")
check(s.close() == 0, "exit 0")

# steps inside a statement: g = g + 1 as its read and its write, the
# temporary shown beside the line
trace = os.path.join(os.environ.get("TL_TMP", "/tmp"), "challenge.trace")
s = Session("--trace", trace, "lessons/challenges/11-inside-one-statement.lua")
intro = s.read_until(r"\n> ")
check("g = g + 1 is two" in intro, "the intro says what a move is: " + intro)
out = s.line(":run T2")
check("#1 T2 reads g (0) into a temporary" in out, "a read: " + out)
check("g = g + 1   (T2 holds g = 0)" in out, "T2's temporary shown: " + out)
out = s.line(":run T3")
check("(T2 holds g = 0)   (T3 holds g = 0)" in out, "both temporaries: " + out)
out = s.line(":run T2")
check("#3 T2 writes g = 1" in out, "a write: " + out)
check("T2 holds" not in out, "T2's temporary is gone once written: " + out)
out = s.line(":run T3")
check("#4 T3 writes g = 1" in out and "Goal reached in 4 moves: T2 T3 T2 T3" in out, "the goal: " + out)
check("\n1\r\n" in s.line("g"), "g is 1 after two increments")
out = s.line(":undo")
check("Back to move 3: T2 T3 T2" in out and "(T3 holds g = 0)" in out, ":undo: " + out)
s.send(":quit\r")
check(s.close() == 0, "exit 0")
# the window's narration box shows the code with each thread's line and
# temporary (an event in the trace, as everything the window draws)
import subprocess
dump = subprocess.run([os.environ.get("TL_BIN", "./threadlab"), "--dump-trace", trace],
                      capture_output=True, text=True).stdout
check("T2 T3 >   g = g + 1   (T2 holds g = 0)   (T3 holds g = 0)" in dump,
      "the narration box has the code view: " + dump[-800:])
check("Goal reached: T2 T3 T2 T3" in dump, "and says when the goal is reached")

# without a challenge the commands say so, and :step is still the
# scheduler's own pick
s = Session()
s.read_until(r"\n> ")
check("no challenge is playing" in s.line(":undo"), ":undo without a challenge")
check("no challenge is playing" in s.line(":hint"), ":hint without a challenge")
s.send(":quit\r")
check(s.close() == 0, "exit 0")
print("ok")
