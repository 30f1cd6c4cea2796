"""Counts to the number given, a line every 0.2 s: a run whose log grows while it runs."""

import sys
import time

for n in range(1, int(sys.argv[1]) + 1 if len(sys.argv) > 1 else 11):
    print(f"count {n}", flush=True)
    time.sleep(0.2)
print("done counting")
