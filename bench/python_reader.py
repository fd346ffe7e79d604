"""Time reading a 2,000-line SDK script (python bench/python_reader.py); target well under 0.1 s.

The script repeats a documented Clarify bias job between 400 helper functions, so both the
statement walk and the function bodies (read after the module) are measured. Nothing asserts.
"""

from __future__ import annotations

import ast
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from clarify_vpc_lint.readers.python_sdk import read_python  # noqa: E402

JOB = (ROOT / "tests" / "fixtures" / "python" / "isolation_network_config.py").read_text()
HELPER = "def helper_{0}(x, y=3):\n    value = [x, y, {{'k': f'v{{x}}'}}]\n    return value\n\n"


def script() -> str:
    """The job, 400 helpers, then the job again until the script has 2,000 lines."""
    text = JOB + "".join(HELPER.format(i) for i in range(400))
    while text.count("\n") < 2000:
        text += JOB
    return text


def main() -> None:
    text = script()
    timings, parse_timings = [], []
    for _ in range(20):
        start = time.perf_counter()
        network = read_python("bench.py", text)
        timings.append(time.perf_counter() - start)
        start = time.perf_counter()
        ast.parse(text)
        parse_timings.append(time.perf_counter() - start)
    best, parse = min(timings), min(parse_timings)
    print(
        f"{text.count(chr(10))} lines, {len(network.jobs)} jobs: best {best * 1000:.1f} ms, "
        f"median {sorted(timings)[10] * 1000:.1f} ms (target well under 100 ms); "
        f"ast.parse alone {parse * 1000:.1f} ms, ratio {best / parse:.2f}"
    )


if __name__ == "__main__":
    main()
