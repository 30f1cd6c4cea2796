"""The reliability harness behind ``bench/bench_reliability.py``: a real workspace server on
loopback, hit with fuzzed API calls, fuzzed model bodies, a restart and a replica kill under load,
and a fixed-rate soak. Each part returns its row of the printed table."""
