"""Helpers of bench/bench_serving_tail.py: load generators and the stall timeline."""
