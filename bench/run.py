"""Run every benchmark in bench/ and print their figures (``make bench``).

Each benchmark is a script run with this interpreter from the repository root; its table goes to
stdout, its progress to stderr. Extra arguments are passed to each of them (e.g. --no-record).
Exit status: the first non-zero status of a benchmark, else 0."""

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = [
    "webhook.py",
    "intake_path.py",
    "triage.py",
    "dashboard.py",
    "triage_engine.py",
    "surge.py",
]  # in this order


def main(argv: list[str]) -> int:
    status = 0
    for name in BENCHMARKS:
        script = ROOT / "bench" / name
        if not script.exists():
            continue
        print(f"== bench/{name}", flush=True)
        started = time.monotonic()
        try:
            code = subprocess.run([sys.executable, str(script), *argv], cwd=ROOT).returncode
        except KeyboardInterrupt:
            # the child got the same Ctrl-C and cleans up after itself; wait for it to finish
            print(f"== bench/{name}: interrupted", flush=True)
            return 130
        print(
            f"== bench/{name}: exit {code} after {time.monotonic() - started:.0f} s\n", flush=True
        )
        status = status or code
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
