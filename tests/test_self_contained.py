"""A user's machine has only the clone: tests, benches and docs read nothing outside it."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ("tests", "bench", "docs", "README.md", "Makefile", ".ci")
# Folders that hold a checkout on developers' machines, and the team folder beside it.
# Spelled in pieces so that this file does not name them itself.
OUTSIDE = [
    ".." + "/shared",
    "/" + "work/",
    "/" + "home/",
    "/" + "Users/",
    "/" + "root/",
    str(ROOT.parent).rstrip("/") + "/",
]


def tracked_files() -> list[Path]:
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--", *CHECKED],
            cwd=ROOT,
            capture_output=True,
            check=True,
            timeout=30,
        ).stdout
        names = [n for n in out.decode().split("\0") if n]
    except (OSError, subprocess.SubprocessError):
        names = [
            str(p.relative_to(ROOT))
            for part in CHECKED
            for p in ([ROOT / part] if (ROOT / part).is_file() else (ROOT / part).rglob("*"))
            if p.is_file()
        ]
    return [ROOT / n for n in names]


def outside_paths(text: str) -> list[str]:
    pattern = re.compile("|".join(re.escape(o) for o in OUTSIDE if o != "/"))
    return [line.strip() for line in text.splitlines() if pattern.search(line)]


def test_no_test_bench_or_doc_names_a_path_outside_the_repository():
    found = {}
    for path in tracked_files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError):
            continue
        lines = outside_paths(text)
        if lines:
            found[str(path.relative_to(ROOT))] = lines[:3]
    assert found == {}


def test_the_check_sees_a_path_outside_the_repository():
    assert outside_paths('CORPUS = Path("' + "/" + 'work/shared/corpus")')
    assert outside_paths("read ../" + "shared/corpus/places.csv")
    assert not outside_paths('DEV_SET = HERE / "data" / "alerts-dev.jsonl"')


def test_the_triage_corpus_the_tests_read_is_in_the_repository():
    from tests.triage.conftest import DEV_SET, GAZETTEER, HOLDOUT_SET

    for path in (DEV_SET, GAZETTEER, HOLDOUT_SET):
        assert path.is_relative_to(ROOT) and path.is_file()
