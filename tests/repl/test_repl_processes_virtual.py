"""test_repl_processes.py's session on the virtual clock: one scheduler runs
every process of the run, so a child forked at the prompt, a child printing
while the prompt waits, Ctrl-C reaching a child, :threads, :reset and exit
behave as on the real clock (a child sleeping far ahead of the wall clock
must not hold the prompt up)."""
import os
import runpy

os.environ["TL_REPL_ARGS"] = "--clock virtual"
runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "test_repl_processes.py"),
               run_name="__main__")
