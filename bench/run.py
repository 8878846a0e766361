"""`make bench`: kling-lint beside check-jsonschema on the same Omni corpora, in one run.

check-jsonschema, with the hand-written schema in `bench/omni.schema.json`, is what a team
would use instead; it checks far less (no statuses, no cross-field rules beyond two, no
positions), so it is the yardstick. Both tools run interleaved (one round: each once) on
1, 1,000 and 10,000 files; the table gives medians, kling-lint's time as a ratio of
check-jsonschema's, peak memory and report size. Both must flag exactly the defective files
of the corpus manifest. Then in-process throughput and the cost of one `guard` call.

    python bench/run.py --check-jsonschema PATH   (make bench installs it beside, in bench/.venv)
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from corpus import clean, clean_new, corpus

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "bench" / "omni.schema.json"
NEW_SCHEMA = ROOT / "schemas" / "omni-video-3-0.create.schema.json"
KLING = Path(sys.executable).parent / "kling-lint"
FORMATS = ("text", "json", "sarif")
ROUNDS = {1: 9, 1_000: 5, 10_000: 5}
# The new design's corpus, beside the legacy one (the same requests, rewritten).
NEW_ROUNDS = {1_000: 5}
# kling-lint's wall time at most this share of check-jsonschema's (text, json and sarif)
TARGET_RATIO = {1: 0.35, 10_000: 0.25}
TARGET_RATE = 100_000  # clean payloads per second through one shared Linter, one core
TARGET_GUARD_US = 10.0
OMNI, NEW_OMNI = "omni-video.create", "omni-video-3-0.create"


class Run:
    def __init__(self, wall: float, peak_mib: float, code: int, out: bytes) -> None:
        self.wall, self.peak_mib, self.code, self.out = wall, peak_mib, code, out


def run(command: list[str], cwd: Path) -> Run:
    """One whole process: wall time, its own peak memory (wait4), exit code, stdout."""
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert child.stdout is not None
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    return Run(wall, usage.ru_maxrss / 1024, child.returncode, out)


def kling(fmt: str, endpoint: str = OMNI) -> list[str]:
    return [str(KLING), "check", "--isolated", "-e", endpoint, "--format", fmt, "."]


def flagged_by_kling(folder: Path, endpoint: str = OMNI) -> set[str]:
    document = json.loads(run(kling("json", endpoint), folder).out)
    return {Path(f["path"]).name for f in document["files"] if f["blocked"]}


def flagged_by_cjs(cjs: str, folder: Path, names: list[str], schema: Path = SCHEMA) -> set[str]:
    out = run([cjs, "--schemafile", str(schema), "-o", "json", *names], folder).out
    document = json.loads(out)
    return {e["filename"] for e in document["errors"]} | {
        e["filename"] for e in document.get("parse_errors", [])
    }


def side_by_side(cjs: str, size: int, design: str = "legacy") -> tuple[list[str], bool]:
    folder, manifest = corpus(size, design)
    endpoint, schema = (OMNI, SCHEMA) if design == "legacy" else (NEW_OMNI, NEW_SCHEMA)
    names = sorted(manifest)
    defective = {name for name, kind in manifest.items() if kind}
    agree = (
        flagged_by_kling(folder, endpoint) == defective
        and flagged_by_cjs(cjs, folder, names, schema) == defective
    )
    times: dict[str, list[float]] = {name: [] for name in ("cjs", *FORMATS)}
    peaks: dict[str, float] = {}
    sizes: dict[str, int] = {}
    rounds = ROUNDS[size] if design == "legacy" else NEW_ROUNDS[size]
    label = f"{size:,}" if design == "legacy" else f"{size:,} new design"
    for _ in range(rounds):
        for name in ("cjs", *FORMATS):
            command = (
                [cjs, "--schemafile", str(schema), *names]
                if name == "cjs"
                else kling(name, endpoint)
            )
            result = run(command, folder)
            times[name].append(result.wall)
            peaks[name] = max(peaks.get(name, 0.0), result.peak_mib)
            sizes[name] = len(result.out)
    base = statistics.median(times["cjs"])
    rows = [
        f"| {label} | check-jsonschema | {base:.3f} | 1.00 | {peaks['cjs']:.0f} | "
        f"{sizes['cjs'] / 1e6:.2f} | |"
    ]
    ok = True
    for fmt in FORMATS:
        median = statistics.median(times[fmt])
        ratio = median / base
        target = TARGET_RATIO.get(size)
        verdict = "" if target is None else ("ok" if ratio <= target else f"over {target}")
        ok &= target is None or ratio <= target
        rows.append(
            f"| {label} | kling-lint {fmt} | {median:.3f} | {ratio:.2f} | {peaks[fmt]:.0f} | "
            f"{sizes[fmt] / 1e6:.2f} | {verdict} |"
        )
    if not agree:
        rows.append(f"| {label} | FLAGGED FILES DIFFER FROM THE MANIFEST | | | | | |")
    return rows, ok and agree


def in_process() -> tuple[float, float, float, float]:
    """Clean payloads/s, a 30%-defective corpus's payloads/s, µs per clean `guard`, and
    clean payloads/s of the same requests in the new design."""
    import random

    from kling_lint import Linter

    linter = Linter()
    rng = random.Random(1)
    payloads = [clean(rng) for _ in range(1000)]
    folder, manifest = corpus(1_000)
    mixed = [json.loads((folder / name).read_text()) for name in sorted(manifest)]

    def rate(batch: list[dict[str, object]], count: int, endpoint: str = OMNI) -> float:
        for payload in batch[:50]:
            linter.lint(payload, endpoint)
        start = time.perf_counter()
        for i in range(count):
            linter.lint(batch[i % len(batch)], endpoint)
        return count / (time.perf_counter() - start)

    clean_rate, mixed_rate = rate(payloads, 50_000), rate(mixed, 20_000)
    new_design = [clean_new(rng) for _ in range(1000)]
    new_rate = rate(new_design, 50_000, NEW_OMNI)
    samples = []
    for _ in range(7):
        start = time.perf_counter()
        for i in range(5_000):
            linter.guard(payloads[i % 1000], "omni-video.create")
        samples.append((time.perf_counter() - start) / 5_000 * 1e6)
    return clean_rate, mixed_rate, statistics.median(samples), new_rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check-jsonschema", required=True, help="the check-jsonschema command")
    args = parser.parse_args()
    cjs = os.path.abspath(args.check_jsonschema)  # each run starts in a corpus folder
    # An installed wheel carries bytecode (pip compiles it); an editable checkout under
    # PYTHONDONTWRITEBYTECODE would not, and would time the compiler instead.
    compileall.compile_dir(str(ROOT / "kling_lint"), quiet=1)
    print("| files | tool | median s | ratio | peak MiB | report MB | target |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | --- |")
    ok = True
    for size in ROUNDS:
        rows, fine = side_by_side(cjs, size)
        ok &= fine
        print("\n".join(rows), flush=True)
    for size in NEW_ROUNDS:
        rows, fine = side_by_side(cjs, size, "new")
        ok &= fine
        print("\n".join(rows), flush=True)
    clean_rate, mixed_rate, guard_us, new_rate = in_process()
    rate_ok = clean_rate >= TARGET_RATE
    new_ok = new_rate >= TARGET_RATE
    guard_ok = guard_us < TARGET_GUARD_US
    print()
    print(
        f"in-process Linter.lint: {clean_rate:,.0f} clean payloads/s "
        f"({'ok' if rate_ok else f'under {TARGET_RATE:,}'}), {mixed_rate:,.0f}/s at 30% defective"
    )
    print(
        f"the same requests in the new design ({NEW_OMNI}): {new_rate:,.0f} clean payloads/s "
        f"({'ok' if new_ok else f'under {TARGET_RATE:,}'}), {new_rate / clean_rate:.2f} of the "
        "legacy rate"
    )
    verdict = "ok" if guard_ok else f"over {TARGET_GUARD_US:g}"
    print(f"guard on a clean payload: {guard_us:.1f} µs ({verdict})")
    return 0 if ok and rate_ok and new_ok and guard_ok else 1


if __name__ == "__main__":
    sys.exit(main())
