"""A lesson's own pace: lesson{speed=N} plays the virtual clock at N unless
--speed was given, and a :back replay (silent, unpaced) gives that pace
back when it arrives, so the class does not sit through long sleeps."""
import os
import subprocess
from pty_session import Session, check

tmp = os.environ.get("TL_TMP", "/tmp")
folder = os.path.join(tmp, "pace-lessons")
os.makedirs(folder, exist_ok=True)
lesson = os.path.join(folder, "01-pace.lua")
with open(lesson, "w") as f:
    f.write('lesson{ title = {en = "Pace", zh = "节奏"}, source = "test", speed = 1000 }\n'
            'step "Sleep"\n'
            'time.sleep(2)\n'
            'print("pace now " .. lab.clock().speed)\n'
            'step "Again"\n'
            'print("pace again " .. lab.clock().speed)\n')
os.environ["LANG"] = "C"
os.environ.pop("LC_ALL", None)

binary = os.environ.get("TL_BIN", "./threadlab")
def played(*args):
    return subprocess.run([binary, "--headless", "--auto", *args, lesson],
                          capture_output=True, text=True, timeout=30).stdout
check("pace now 1000.0" in played(), "the lesson's own pace, without --speed: " + played())
check("pace now 0.0" in played("--speed", "0"), "--speed 0 wins over the lesson's pace")
check("pace now 3.0" in played("--speed", "3"), "--speed 3 wins over the lesson's pace")

s = Session(lesson)
s.read_until(r"step 1/2> ")
s.send("\r")
out = s.read_until(r"step 2/2> ")
check("pace now 1000.0" in out, "played at the lesson's pace: " + out)
s.send(":back\r")
out = s.read_until(r"step 1/2> ")
s.send("print('pace at the prompt ' .. lab.clock().speed)\r")
out = s.read_until(r"step 1/2> ")
check("pace at the prompt 1000.0" in out, "the replay gave the lesson's pace back: " + out)
s.send(":auto\r")
out = s.read_until(r"pace again")
check(s.close() == 0, "the lesson ended with status 0")
