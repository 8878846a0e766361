"""`make bench`: time `kling-lint check` on generated Omni corpora, and in-process throughput.

Prints median wall time of one CLI invocation over 1, 1,000 and 10,000 files, its peak
memory, and payloads per second through a shared Linter, against the budgets.
"""

from __future__ import annotations

import compileall
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "bench" / "corpus"
SCRIPT = Path(sys.executable).parent / "kling-lint"
RUNS = 5
BUDGET = {1: 0.15, 10_000: 1.5}
IN_PROCESS_BUDGET = 10_000

PROMPTS = [
    "A calm woman looks at the camera and smiles.",
    "A fox runs through snow.",
    "Rain on a window at night.",
]
DEFECTS: list[tuple[str, Any]] = [
    ("mode", "standard"),
    ("duration", 5),
    ("aspect_ratio", "4:3"),
    ("keep_original_stound", "yes"),
    ("image_list", [{"image": "https://cdn.example.com/a.png"}]),
]


def typical(rng: random.Random) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "model_name": "kling-v3-omni",
        "prompt": rng.choice(PROMPTS),
        "duration": rng.choice(["5", "10", "15"]),
        "mode": "std",
        "aspect_ratio": "16:9",
    }
    if rng.random() < 0.3:
        payload["image_list"] = [
            {"image_url": "https://cdn.example.com/f.png", "type": "first_frame"}
        ]
    return payload


def corpus(size: int) -> Path:
    folder = CORPUS / str(size)
    if folder.is_dir() and len(list(folder.iterdir())) == size:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(size)
    for i in range(size):
        payload = typical(rng)
        if i % 20 == 7:  # one in twenty carries one defect
            key, value = DEFECTS[i % len(DEFECTS)]
            payload[key] = value
        (folder / f"p{i:05d}.json").write_text(json.dumps(payload, indent=2))
    return folder


def time_cli(folder: Path) -> tuple[float, float]:
    times, peak = [], 0.0
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(
            [str(SCRIPT), "check", "--isolated", str(folder)], capture_output=True, check=False
        )
        times.append(time.perf_counter() - start)
        peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    return statistics.median(times), peak


def in_process(count: int = 20_000) -> float:
    from kling_lint import Linter

    linter = Linter()
    rng = random.Random(1)
    payloads = [typical(rng) for _ in range(1000)]
    start = time.perf_counter()
    for i in range(count):
        linter.lint(payloads[i % 1000], "omni-video.create")
    return count / (time.perf_counter() - start)


def main() -> int:
    # An installed wheel carries bytecode (pip compiles it); an editable checkout under
    # PYTHONDONTWRITEBYTECODE would not, and would time the compiler instead.
    compileall.compile_dir(str(ROOT / "kling_lint"), quiet=1)
    print(f"kling-lint benchmark: median of {RUNS} runs of one `kling-lint check` invocation")
    failed = False
    for size in (1, 1_000, 10_000):
        median, peak = time_cli(corpus(size))
        budget = BUDGET.get(size)
        verdict = (
            "" if budget is None else (" ok" if median <= budget else f" OVER BUDGET ({budget} s)")
        )
        failed |= bool(budget and median > budget)
        print(f"  {size:>6} files: {median:6.3f} s   peak RSS so far {peak:6.1f} MiB{verdict}")
    rate = in_process()
    ok = rate >= IN_PROCESS_BUDGET
    failed |= not ok
    verdict = " ok" if ok else f" UNDER BUDGET ({IN_PROCESS_BUDGET:,})"
    print(f"  in-process: {rate:,.0f} payloads/s{verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
