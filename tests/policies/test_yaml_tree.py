"""Hostile policy YAML: every problem is one ``FILE:LINE:COL`` issue, found without expanding
aliases, constructing Python objects or recursing without end."""

from __future__ import annotations

import pytest

from policies import PolicyError, parse_policy
from policies.yaml_tree import MAX_DEPTH, MAX_VALUES

# Ten levels of ten aliases each: 10**10 strings once expanded (the "billion laughs").
BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(9)
)


@pytest.mark.parametrize(
    ("text", "issue"),
    [
        (BOMB, f"x.yaml:4:4: YAML: more than {MAX_VALUES:,} values once aliases are expanded"),
        ("x: &a [*a]\n", "x.yaml:1:4: YAML: an alias refers to a value that contains it"),
        ("x: &a {y: *a}\n", "x.yaml:1:4: YAML: an alias refers to a value that contains it"),
        (
            "version: !!python/name:os.system 1\n",
            "x.yaml:1:10: YAML: tag 'tag:yaml.org,2002:python/name:os.system' is not allowed",
        ),
        (
            "version: !!python/object/apply:os.system [id]\n",
            "x.yaml:1:10: YAML: tag 'tag:yaml.org,2002:python/object/apply:os.system' is not",
        ),
        ("tiers: !!set {a}\n", "x.yaml:1:8: YAML: tag 'tag:yaml.org,2002:set' is not allowed"),
        ("tiers: !mine x\n", "x.yaml:1:8: YAML: tag '!mine' is not allowed"),
        ("? [a, b]\n: 1\n", "x.yaml:1:3: YAML: a key must be a plain value"),
        ("x: 2024-13-45\n", "x.yaml:1:4: YAML: cannot read '2024-13-45'"),
        (
            "x: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n",
            f"x.yaml:1:{MAX_DEPTH + 3}: YAML: nested deeper than {MAX_DEPTH} levels",
        ),
        ("x: " + "[" * 50_000 + "\n", f"x.yaml:1:{MAX_DEPTH + 3}: YAML: nested deeper than"),
        ("x: " + "y" * 1_000_001, "x.yaml:1:1: YAML: the file is over 1,000,000 characters"),
        (
            "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 300)).replace("*a0", "1"),
            f"x.yaml:1:10: YAML: nested deeper than {MAX_DEPTH} levels",
        ),
        ("x: [\n", "x.yaml:2:1: YAML: expected the node content"),
        ("\tx: 1\n", "x.yaml:1:1: YAML: found character '\\t'"),
    ],
    ids=[
        "alias-bomb",
        "recursive-list",
        "recursive-map",
        "python-name",
        "python-apply",
        "set",
        "local-tag",
        "complex-key",
        "bad-date",
        "deep",
        "very-deep",
        "huge",
        "deep-by-aliases",
        "syntax",
        "tab",
    ],
)
def test_hostile_yaml_is_one_located_issue(text: str, issue: str) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, "x.yaml")
    [found] = caught.value.issues
    assert str(found).startswith(issue), str(found)


def test_modest_aliases_still_work() -> None:
    text = "a: &hours {start: '09:00'}\nb: *hours\nc: [*hours, *hours]\n"
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, "x.yaml")
    # The shape is wrong for a policy, but the aliases were read: only schema issues remain.
    assert all("YAML" not in str(issue) for issue in caught.value.issues)
