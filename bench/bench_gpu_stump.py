"""stumpy.gpu_stump vs stumpy.stump on 2 CPU cores (needs an NVIDIA GPU; says so when absent).

Both run on the same random walk; profiles are compared where both ran. The CPU matrix profile of
n = 1M points takes hours on 2 cores, so the CPU is timed at ``--cpu-n`` and, because the work is
quadratic in n, extrapolated to ``--n``; the GPU is timed at both sizes.

    NUMBA_NUM_THREADS=2 taskset -c 0,1 python bench/bench_gpu_stump.py --n 1000000 --cpu-n 100000
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--cpu-n", type=int, default=100_000)
    parser.add_argument("--m", type=int, default=30)
    args = parser.parse_args()
    import numba
    import stumpy
    from numba import cuda

    if not cuda.is_available():
        raise SystemExit("no CUDA GPU on this machine: gpu_stump benchmark not run")
    name = cuda.get_current_device().name
    name = name.decode() if isinstance(name, bytes) else name
    print(f"GPU {name}, CPU threads {numba.get_num_threads()}")
    series = np.cumsum(np.random.default_rng(0).normal(size=args.n))
    small = series[: args.cpu_n]
    stumpy.gpu_stump(small[:2000], args.m)  # compile
    stumpy.stump(small[:2000], args.m)
    gpu_small, gpu_small_s = timed(stumpy.gpu_stump, small, args.m)
    cpu_small, cpu_small_s = timed(stumpy.stump, small, args.m)
    same = np.allclose(gpu_small[:, 0].astype(float), cpu_small[:, 0].astype(float), atol=1e-6)
    print(f"n={args.cpu_n:,}: stump {cpu_small_s:.1f} s, gpu_stump {gpu_small_s:.1f} s, "
          f"{cpu_small_s / gpu_small_s:.1f}x, same profile: {same}")  # fmt: skip
    _, gpu_s = timed(stumpy.gpu_stump, series, args.m)
    cpu_s = cpu_small_s * (args.n / args.cpu_n) ** 2
    print(f"n={args.n:,}: gpu_stump {gpu_s:.1f} s; stump on {numba.get_num_threads()} cores "
          f"~{cpu_s / 60:.0f} min (extrapolated), {cpu_s / gpu_s:.0f}x")  # fmt: skip


if __name__ == "__main__":
    main()
