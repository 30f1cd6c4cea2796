"""Prints a tick every 0.2 s for the seconds given, with a child process that lives as long."""

import subprocess
import sys
import time

seconds = float(sys.argv[1])
child = subprocess.Popen(
    [sys.executable, "-c", f"import time; time.sleep({seconds})", *sys.argv[2:]]
)
for tick in range(int(seconds * 5)):
    print(f"tick {tick}")
    time.sleep(0.2)
child.wait()
