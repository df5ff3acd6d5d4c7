"""Phrase matching quality and speed: ``policies.language`` against today's simple matcher.

Reads the labelled corpus (``tests/policies/language_corpus.yaml``: sentence, expected list
names) and reports per list precision and recall of

- ``new``: ``policies.language.compile_phrase_lists`` with the ``phrases`` of
  ``policies/default.yaml`` (what the bridge runs);
- ``plain``: the simple matcher the bridge used before (whole words, case and punctuation
  ignored, no negation, questions or quotes) with the plain lists the default policy shipped
  then (``PLAIN_LISTS``; null for lists it did not have),

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
from policies.signals import normalize

ROOT = Path(__file__).parents[1]
Matcher = Callable[[str], frozenset[str]]
# The lists of policies/default.yaml before issue 13, for the plain matcher.
PLAIN_LISTS = {
    "escalation_request": [
        "escalate",
        "escalation",
        "speak to a manager",
        "talk to a manager",
        "your manager",
        "your supervisor",
        "speak to someone senior",
    ],
    "legal": [
        "lawyer",
        "attorney",
        "legal action",
        "lawsuit",
        "sue you",
        "gdpr",
        "data protection",
        "compliance",
        "regulator",
    ],
}


def plain_match(text: str, lists: Mapping[str, Sequence[str]]) -> frozenset[str]:
    """The simple matcher: a list matches when one of its phrases occurs on whole words."""
    norm = normalize(text)
    return frozenset(name for name, items in lists.items() if any(p in norm for p in items))


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
    phrasebook: dict[str, list[str]] = _yaml(ROOT / "policies/default.yaml")["phrases"]
    today = {name: tuple(normalize(p) for p in items) for name, items in PLAIN_LISTS.items()}
    started = time.perf_counter()
    new = compile_phrase_lists(phrasebook).match
    compile_ms = (time.perf_counter() - started) * 1000

    def old(text: str) -> frozenset[str]:
        return plain_match(text, today)

    names = list(phrasebook)
    texts = [row["text"] for row in corpus if row["text"]]
    long_texts = mails(texts, 200)
    result: dict[str, Any] = {
        "corpus": args.corpus.name,
        "sentences": len(corpus),
        "compile_ms": round(compile_ms, 1),
        "new": {"quality": quality(new, names, corpus)},
        "plain": {"quality": quality(old, [n for n in names if n in today], corpus)},
    }
    for label, match in (("new", new), ("plain", old)):
        print(f"{label}: timing sentences and mails", file=sys.stderr)
        result[label]["sentences"] = speed(match, texts, args.seconds)
        result[label]["mails"] = speed(match, long_texts, args.seconds)
    for label in ("new", "plain"):
        for name, figures in result[label]["quality"].items():
            print(
                f"{label:5} {name:20} precision {figures['precision']} recall {figures['recall']}",
                file=sys.stderr,
            )
    result["python"] = platform.python_version()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
