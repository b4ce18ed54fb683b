"""Write a bench's latest figures into bench/README.md, in place of the previous ones: the file
holds each bench's method and its latest run, not a diary of every run."""

from pathlib import Path


def results_write(readme: Path, marker: str, report: str) -> None:
    """Put `report` under `marker`, replacing what was there up to the next section (a heading
    of level 2 or 3); a README without the marker gets it at its end."""
    text = readme.read_text(encoding="utf-8") if readme.exists() else "# Benchmarks\n"
    if marker not in text:
        text = text.rstrip("\n") + "\n\n" + marker + "\n"
    head, tail = text.split(marker, 1)
    cuts = [i for i in (tail.find("\n## "), tail.find("\n### ")) if i >= 0]
    rest = tail[min(cuts) :] if cuts else ""
    readme.write_text(
        head
        + marker
        + "\n\n"
        + report.strip("\n")
        + "\n"
        + ("\n" + rest.lstrip("\n") if rest else ""),
        encoding="utf-8",
    )
