"""Phrase matching quality and speed: ``policies.language`` against today's simple matcher.

Reads the labelled corpus (``tests/policies/language_corpus.yaml``: sentence, expected list
names) and reports per list precision and recall of

- ``new``: ``policies.language.compile_phrase_lists`` with ``policies/phrasebook.yaml``;
- ``today``: ``policies.signals.matched_phrases`` with the ``phrases`` of
  ``policies/default.yaml`` (null for lists today's policy does not have),

then how fast each matches, on one core: the corpus sentences one by one (about ten words each)
and "mails" of ten sentences with a quoted reply (about 120 words, nearer a real comment).
``--corpus`` takes another file of the same shape, e.g. a batch held back from the lists.
The last line printed is JSON.

    python benchmarks/bench_language.py [--corpus FILE] [--seconds S]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from policies.language import compile_phrase_lists
from policies.signals import matched_phrases, normalize

ROOT = Path(__file__).parents[1]
Matcher = Callable[[str], frozenset[str]]


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def quality(
    match: Matcher, names: Sequence[str], corpus: Sequence[Mapping[str, Any]]
) -> dict[str, dict[str, float | int | None]]:
    """Precision and recall per list name, with the counts they come from."""
    found = [match(row["text"]) for row in corpus]
    figures: dict[str, dict[str, float | int | None]] = {}
    for name in names:
        wanted = [name in row["expect"] for row in corpus]
        got = [name in hits for hits in found]
        true = sum(w and g for w, g in zip(wanted, got, strict=True))
        figures[name] = {
            "precision": round(true / sum(got), 3) if any(got) else None,
            "recall": round(true / sum(wanted), 3) if any(wanted) else None,
            "positives": sum(wanted),
            "false_positives": sum(g and not w for w, g in zip(wanted, got, strict=True)),
            "false_negatives": sum(w and not g for w, g in zip(wanted, got, strict=True)),
        }
    return figures


def speed(match: Matcher, texts: Sequence[str], seconds: float) -> dict[str, float]:
    """Comments matched per second and microseconds per comment, over ``seconds``."""
    done = 0
    started = time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        for text in texts:
            match(text)
        done += len(texts)
    return {"per_second": round(done / elapsed), "us_per_comment": round(elapsed / done * 1e6, 1)}


def mails(texts: Sequence[str], count: int) -> list[str]:
    """Comments of ten corpus sentences each, the last three quoted as an earlier reply."""
    rng = random.Random(7)
    made = []
    for _ in range(count):
        picked = rng.sample(texts, 10)
        quoted = "\n".join("> " + t for t in picked[7:])
        made.append(" ".join(picked[:7]) + "\n\nOn Monday, Support wrote:\n" + quoted)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "tests/policies/language_corpus.yaml")
    parser.add_argument("--seconds", type=float, default=3.0, help="per speed measurement")
    args = parser.parse_args()

    corpus = _yaml(args.corpus)
    phrasebook: dict[str, list[str]] = _yaml(ROOT / "policies/phrasebook.yaml")["phrases"]
    today = {
        name: tuple(normalize(p) for p in items)
        for name, items in _yaml(ROOT / "policies/default.yaml")["phrases"].items()
    }
    started = time.perf_counter()
    new = compile_phrase_lists(phrasebook).match
    compile_ms = (time.perf_counter() - started) * 1000

    def old(text: str) -> frozenset[str]:
        return matched_phrases(text, today)

    names = list(phrasebook)
    texts = [row["text"] for row in corpus if row["text"]]
    long_texts = mails(texts, 200)
    result: dict[str, Any] = {
        "corpus": args.corpus.name,
        "sentences": len(corpus),
        "compile_ms": round(compile_ms, 1),
        "new": {"quality": quality(new, names, corpus)},
        "today": {"quality": quality(old, [n for n in names if n in today], corpus)},
    }
    for label, match in (("new", new), ("today", old)):
        print(f"{label}: timing sentences and mails", file=sys.stderr)
        result[label]["sentences"] = speed(match, texts, args.seconds)
        result[label]["mails"] = speed(match, long_texts, args.seconds)
    for label in ("new", "today"):
        for name, figures in result[label]["quality"].items():
            print(
                f"{label:5} {name:20} precision {figures['precision']} recall {figures['recall']}",
                file=sys.stderr,
            )
    result["python"] = platform.python_version()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
