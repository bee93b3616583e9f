"""Runs every benchmark and prints its ratios against a baseline measured in the same run.
Never asserts a time (these machines are noisy): exit code 0 unless a benchmark itself breaks.

    python tests/benchmarks/run_all.py [--quick]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_catalog  # noqa: E402
import bench_docker  # noqa: E402
import bench_handle_parse  # noqa: E402
import bench_job_overhead  # noqa: E402
import bench_mnist  # noqa: E402
import bench_output  # noqa: E402
import bench_serve  # noqa: E402
import bench_stream_latency  # noqa: E402


def main() -> int:
    quick = "--quick" in sys.argv
    t0 = time.monotonic()
    bench_job_overhead.main(quick)
    bench_stream_latency.main(quick)
    bench_output.main(quick)
    bench_catalog.main(quick)
    bench_handle_parse.main(quick)
    bench_serve.main(quick)
    bench_docker.main(quick)
    bench_mnist.main(quick)
    print(f"benchmarks done in {time.monotonic() - t0:.0f} s (browser figures (d) come from the UI tests)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
