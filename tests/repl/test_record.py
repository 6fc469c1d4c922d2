"""Recording from the REPL: :record FILE [FROM TO] in its formats,
:screenshot FILE headless (the window's picture drawn offscreen), and the
mistakes a person makes with them."""
import os
import subprocess
import sys
from pty_session import Session, check

tmp = os.environ.get("TL_TMP", "/tmp")
here = os.path.dirname(os.path.abspath(__file__))
pngcheck = os.path.join(here, "..", "cli", "pngcheck.py")
jsoncheck = os.path.join(here, "..", "cli", "jsoncheck.py")


def tool(*args):
    return subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True)


# (Under a sanitizer, an animation of few frames: at the default pace
# TSan took longer than the prompt's wait in the full run.)
pace = ["--anim-fps", "2", "--anim-seconds", "3"] if os.environ.get("TL_SANITIZER") else []
s = Session("--clock", "virtual", "--speed", "0", *pace)
s.read_until(r"> ")
s.line("l = threading.Lock{name='L'}")
s.line("function w() for i = 1, 4 do l:acquire(); time.sleep(0.002); l:release() end end")
s.line("a = threading.Thread{name='alpha', target=w}; b = threading.Thread{name='beta', target=w}")
s.line("a:start(); b:start(); a:join(); b:join()")
svg, part, js, png, shot = (os.path.join(tmp, n) for n in
                            ("all.svg", "part.svg", "all.json", "part.png", "shot.png"))
check("recorded" in s.line(f":record {svg}"), ":record FILE.svg")
check("recorded" in s.line(f":record {part} 0.004 0.008"), ":record FILE FROM TO")
text = open(part, encoding="utf-8").read()
check(">4 ms<" in text or ">4.0 ms<" in text or ">5 ms<" in text, "the window starts at FROM")
check(">2 ms<" not in text, "and nothing before it is drawn")
check("recorded" in s.line(f":record {js}"), ":record FILE.json")
r = tool(jsoncheck, js, "alpha", "beta", "MainThread")
check(r.returncode == 0, "the json: " + r.stdout)
check("recorded" in s.line(f":record {png} 0 0.01"), ":record FILE.png FROM TO")
r = tool(pngcheck, "--density", 2, png, 2000, 200)
check(r.returncode == 0, "the png: " + r.stdout)
page = os.path.join(tmp, "part.html")
check("recorded" in s.line(f":record {page} 0.004 0.008"), ":record FILE.html FROM TO")
r = tool(os.path.join(here, "..", "cli", "htmlcheck.py"), page)
check(r.returncode == 0, "the page: " + r.stdout)
anim = os.path.join(tmp, "part.apng")
check("recorded" in s.line(f":record {anim} 0.004 0.008"), ":record FILE.apng FROM TO")
png_here = os.path.join(tmp, "part_still.png")
check("recorded" in s.line(f":record {png_here} 0.004 0.008"), "and its still picture")
r = tool(os.path.join(here, "..", "cli", "animcheck.py"), anim, png_here)
check(r.returncode == 0, "the animation ends on the still picture: " + r.stdout)
check("usage" in s.line(":record"), ":record alone explains itself")
check("unknown diagram format" in s.line(f":record {tmp}/x.txt"), "a bad extension")
check("FROM and TO" in s.line(f":record {svg} 5 1"), "TO before FROM")
check("FROM and TO" in s.line(f":record {svg} 1"), "FROM without TO")
check("cannot record" in s.line(":record /nonexistent/x.svg"), "an unwritable path")
s.line("lab.narrate('死锁 deadlock: 两个线程互相等待')")
check("saved" in s.line(f":screenshot {shot}"), ":screenshot, headless")
r = tool(pngcheck, "--density", 1, shot, 1200, 700)
check(r.returncode == 0, "the screenshot: " + r.stdout)
check("usage" in s.line(":screenshot"), ":screenshot alone explains itself")
check("cannot save" in s.line(":screenshot /nonexistent/x.png"), "an unwritable screenshot")
check("7" in s.line("3+4"), "still answering")
s.send(":quit\r")
check(s.close() == 0, "exit 0")
print("ok")
