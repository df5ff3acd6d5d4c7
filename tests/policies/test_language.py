"""Phrase matching that counts only what the customer affirms (``policies.language``)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

from policies.language import PatternError, compile_phrase_lists
from policies.language_typos import one_edit_apart

POLICIES = Path(__file__).parents[2] / "policies"
CORPUS = Path(__file__).parent / "language_corpus.yaml"
LISTS = (
    "escalation_request",
    "legal",
    "compliance_request",
    "impact_critical",
    "impact_high",
    "engineering",
    "resolution_confirmed",
)


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


PHRASEBOOK: dict[str, list[str]] = _yaml(POLICIES / "default.yaml")["phrases"]
DEFAULT_MATCHER = compile_phrase_lists(PHRASEBOOK)
CORPUS_ROWS: list[dict[str, Any]] = _yaml(CORPUS)

# Small lists that isolate one rule each.
ASK = {"ask": ["speak to [a|the|your] manager~", "escalate"]}
SUE = {"sue": ["sue", "lawyer~"]}
SOC = {"soc": ["soc 2 report?"]}


def _match(lists: Mapping[str, Sequence[str]], text: str) -> set[str]:
    return set(compile_phrase_lists(lists).match(text))


def test_the_corpus_is_large_enough_for_every_list() -> None:
    assert len(CORPUS_ROWS) >= 150
    assert set(PHRASEBOOK) == set(LISTS)
    for name in LISTS:
        positives = sum(name in row["expect"] for row in CORPUS_ROWS)
        assert positives >= 15, name
        assert len(CORPUS_ROWS) - positives >= 15, name


@pytest.mark.parametrize("name", LISTS)
def test_precision_and_recall_on_the_corpus(name: str) -> None:
    hits = {i for i, row in enumerate(CORPUS_ROWS) if name in DEFAULT_MATCHER.match(row["text"])}
    wanted = {i for i, row in enumerate(CORPUS_ROWS) if name in row["expect"]}
    precision = len(hits & wanted) / len(hits)
    recall = len(hits & wanted) / len(wanted)
    missed = [CORPUS_ROWS[i]["text"] for i in sorted(wanted - hits)]
    extra = [CORPUS_ROWS[i]["text"] for i in sorted(hits - wanted)]
    assert precision >= 0.95, extra
    assert recall >= 0.95, missed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the brief's cases, on the shipped lists
        ("No need to escalate, it's fixed", set()),
        ("I'm not going to sue anyone", set()),
        ("we don't need a manager", set()),
        ("I will not accept this, get me a manager", {"escalation_request"}),
        ("is there an escalation matrix we can see?", set()),
        ("can I talk to someone senior?", {"escalation_request"}),
        ("could you put me through to a supervisor?", {"escalation_request"}),
        ("I'd like to talk to the manger", {"escalation_request"}),
        ("Please put me through to a supervsior", {"escalation_request"}),
        ("We are filing a lawsiut", {"legal"}),
        ("This issue is one we will pursue", set()),
        ("the site is not down, just slow", set()),
        ("Can you send the SOC 2 report?", {"compliance_request"}),
        ("Our legal team asked for a DPA", {"compliance_request"}),
    ],
)
def test_shipped_lists(text: str, expected: set[str]) -> None:
    assert DEFAULT_MATCHER.match(text) == expected


@pytest.mark.parametrize(
    ("text", "affirmed"),
    [
        ("Let me speak to your manager.", True),
        ("I do not want to speak to a manager.", False),
        ("I never asked to speak to a manager.", False),
        ("Without having to speak to a manager, please fix it.", False),
        ("To speak to a manager is not needed.", False),  # cue after the phrase
        ("Not only do I want to speak to a manager, I want a refund.", True),  # pseudo-negation
        ("It is not slow, but I want to speak to the manager.", True),  # "but" ends the scope
        ("If you do not fix this I want to speak to the manager.", True),  # new subject
        ("I do not think I need to speak to a manager.", False),  # negated "think" reaches
        ("I will not wait longer escalate", True),  # an order starts a clause
        ("Please do not escalate.", False),
        ("If I have to speak to a manager, so be it.", False),  # hypothetical
        ("In case you need to escalate, call us.", False),
        ("I would appreciate it if you could escalate.", True),  # a polite "if" asks
        ("It would be great if you could escalate.", True),
        ("Not happy at all. Escalate!", True),  # sentences are separate scopes
        ("No answer after twelve long days and nights speak to a manager", True),  # 6-word window
    ],
)
def test_negation_and_hypotheticals(text: str, affirmed: bool) -> None:
    assert _match(ASK, text) == ({"ask"} if affirmed else set())


@pytest.mark.parametrize(
    ("text", "lists", "expected"),
    [
        ("Can I speak to your manager?", ASK, {"ask"}),
        ("Could you escalate?", ASK, {"ask"}),
        ("Will you escalate this?", ASK, {"ask"}),
        ("Is it possible to speak to the manager?", ASK, {"ask"}),
        ("Is there a way to escalate?", ASK, {"ask"}),
        ("May I please speak to your manager?", ASK, {"ask"}),
        ("Why haven't you escalated?", ASK, set()),  # "escalated" is not in ASK
        ("Why don't you escalate this?", ASK, {"ask"}),  # rhetorical: the "not" is ignored
        ("Can't you escalate this?", ASK, {"ask"}),
        ("Why would I escalate?", ASK, set()),
        ("Did you escalate?", ASK, set()),
        ("How do I escalate in the app?", ASK, set()),
        ("Who can I escalate this to?", ASK, {"ask"}),
        ("What does escalate mean in your SLA?", ASK, set()),
        ("I want to speak to the manager now, do you understand?", ASK, {"ask"}),
        ("Honestly, do you escalate at all?", ASK, set()),
        ("Escalate this, please?", ASK, {"ask"}),
        ("Do you have a SOC 2 report?", SOC, {"soc"}),  # marked with a trailing "?"
        ("We don't need the SOC 2 report?", SOC, set()),
        ("Do you have a lawyer?", SUE, set()),  # unmarked: an enquiry does not count
    ],
)
def test_questions(text: str, lists: Mapping[str, Sequence[str]], expected: set[str]) -> None:
    assert _match(lists, text) == expected


@pytest.mark.parametrize(
    ("text", "affirmed"),
    [
        ('He wrote "escalate this" yesterday.', False),
        ("He wrote \u201cescalate this\u201d yesterday.", False),
        ("Sie schrieb \u201eescalate\u201c.", False),
        ("Il a dit \u00abescalate\u00bb.", False),
        ("He wrote 'escalate this' yesterday.", False),
        ("He wrote \u2018please escalate\u2019 yesterday.", False),
        ("The customers' data is fine, escalate it.", True),  # a possessive is no quote
        ("Don't 'fix' it, escalate.", True),
        ("> escalate\n> now", False),
        ("   > escalate", False),
        ("Thanks!\n> Please escalate\nEscalate again.", True),
        ("Fine.\n\n-----Original Message-----\nFrom: A\nescalate", False),
        ("Fine.\n\nFrom: Support <s@example.com>\nSent: Monday\nescalate", False),
        ('Quoted "speak to the" manager', False),  # the words around a quote do not join up
    ],
)
def test_quotes_are_not_the_customers_statement(text: str, affirmed: bool) -> None:
    assert _match(ASK, text) == ({"ask"} if affirmed else set())


@pytest.mark.parametrize(
    ("text", "lists", "expected"),
    [
        ("Speak to the managr", ASK, {"ask"}),
        ("speak to the mnaager", ASK, {"ask"}),  # swapped neighbours
        ("speak to the manaager", ASK, {"ask"}),
        ("speak to the manage", ASK, set()),  # a real word near a tolerant one
        ("speak to the mngr", ASK, set()),  # two edits
        ("my layer is thick", SUE, set()),
        ("my lawyr is ready", SUE, {"sue"}),
        ("I will su you", SUE, set()),  # "sue" is unmarked (and short)
        ("escalte", ASK, set()),  # unmarked
    ],
)
def test_typos_only_on_marked_words(
    text: str, lists: Mapping[str, Sequence[str]], expected: set[str]
) -> None:
    assert _match(lists, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We will SUE!!!", {"sue"}),
        ("we  will\tsue", {"sue"}),
        ("sue-you", {"sue"}),
        ("This is an issue", set()),
        ("I am pursuing this", set()),
        ("Sued-ish words: suede, pseudo", set()),
        ("the sues", set()),
    ],
)
def test_case_punctuation_and_whole_words(text: str, expected: set[str]) -> None:
    assert _match(SUE, text) == expected


@pytest.mark.parametrize(
    ("phrase", "text", "matches"),
    [
        ("(speak|talk) (to|with) a manager", "talk with a manager", True),
        ("(speak|talk) (to|with) a manager", "talk about a manager", False),
        ("speak to [a|the] manager", "speak to manager", True),
        ("speak to [a|the] manager", "speak to the manager", True),
        ("[please] escalate", "escalate", True),
        ("put me * through", "put me right now through", True),
        ("put me * through", "put me through", True),
        ("put me * through", "put me one two three four through", False),
        ("put me * through", "put me, then through", False),  # gaps stay in the clause
        ("(get (me|us)|find us) a manager", "find us a manager", True),
        ("can't log in", "I cannot log in", True),
        ("can't log in", "I can not log in", True),
        ("soc2", "the SOC 2 report", True),
        ("data-loss", "data loss", True),
    ],
)
def test_pattern_syntax(phrase: str, text: str, matches: bool) -> None:
    assert _match({"x": [phrase]}, text) == ({"x"} if matches else set())


@pytest.mark.parametrize(
    ("phrase", "error"),
    [
        ("", "empty"),
        ("(a|b", "missing ')'"),
        ("a)", "unexpected ')'"),
        ("[a|b]", "not optional"),
        ("* a", "gap"),
        ("a *", "gap"),
        ("a * * b", "gap"),
        ("(a||b)", "not optional"),
        ("!!!", "no words"),
        ("sue~", "follows one word of 6 letters"),
        ("(a b)~", "follows one word"),
    ],
)
def test_pattern_errors(phrase: str, error: str) -> None:
    with pytest.raises(PatternError, match=re.escape(error)):
        compile_phrase_lists({"x": [phrase]})


# The plain lists policies shipped before pattern syntax existed; a team's own plain list must
# keep matching what it says.
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
    "legal": ["lawyer", "attorney", "legal action", "lawsuit", "sue you", "gdpr", "regulator"],
}


def test_plain_phrases_still_match_themselves() -> None:
    today = PLAIN_LISTS
    matcher = compile_phrase_lists(today)
    for name, phrases in today.items():
        for phrase in phrases:
            assert name in matcher.match(f"Hello, {phrase.upper()}!"), phrase
    assert matcher.match("speak-to-a manager") == {"escalation_request"}
    assert matcher.match("Our lawyer will be in touch (GDPR)") == {"legal"}


@pytest.mark.parametrize(
    ("a", "b", "apart"),
    [
        ("manager", "manger", True),
        ("manger", "manager", True),
        ("supervisor", "supervsior", True),
        ("lawsuit", "lawsiut", True),
        ("lawyer", "lawyer", False),
        ("lawyer", "lawyers", True),
        ("escalate", "escalator", False),
        ("abc", "bca", False),
        ("abcd", "abdc", True),
        ("abcd", "badc", False),
    ],
)
def test_one_edit_apart(a: str, b: str, apart: bool) -> None:
    assert one_edit_apart(a, b) is apart


def test_a_matcher_is_reusable_and_reports_only_its_lists() -> None:
    matcher = compile_phrase_lists({"ask": ["escalate"], "empty": []})
    assert matcher.match("escalate") == {"ask"}
    assert matcher.match("escalate") == {"ask"}
    assert matcher.match("") == frozenset()
