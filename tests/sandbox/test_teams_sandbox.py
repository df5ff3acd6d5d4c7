from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from sandbox.common import serve
from sandbox.teams import TeamsSandbox, schemas
from sandbox.teams.page import markdown

FIXTURES = Path(__file__).parents[1] / "fixtures" / "teams"


@dataclass
class Clock:
    now: float = 1_780_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Rig:
    sandbox: TeamsSandbox
    clock: Clock

    def post(self, channel: str, body: Any, url: str | None = None) -> requests.Response:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        target = url or self.sandbox.webhook_url(channel)
        return requests.post(target, data=data, headers=headers, timeout=5)


@pytest.fixture(scope="module")
def served() -> Iterator[Rig]:
    clock = Clock()
    sandbox = TeamsSandbox(clock=clock)
    with serve(sandbox):
        yield Rig(sandbox, clock)


@pytest.fixture
def teams(served: Rig) -> Rig:
    served.sandbox.reset()
    served.clock.now += 10
    return served


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def message(card: dict[str, Any]) -> dict[str, Any]:
    attachment = {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
    return {"type": "message", "attachments": [attachment]}


def card(*body: dict[str, Any], version: str = "1.4", **extra: Any) -> dict[str, Any]:
    return {"type": "AdaptiveCard", "version": version, "body": list(body), **extra}


def text(value: str) -> dict[str, Any]:
    return {"type": "TextBlock", "text": value, "wrap": True}


def test_the_installed_schemas_are_microsofts() -> None:
    # scripts/bootstrap installs them; a missing or altered copy fails here, never skips.
    assert schemas.installed(), "run scripts/bootstrap to install the Adaptive Card schemas"
    for version in schemas.SCHEMAS:
        assert schemas.load(version)["$schema"] == "http://json-schema.org/draft-06/schema#"


def test_an_altered_schema_is_refused(tmp_path: Path) -> None:
    for name, _, _ in schemas.SCHEMAS.values():
        (tmp_path / name).write_text((schemas.SCHEMA_DIR / name).read_text())
    name = schemas.SCHEMAS["1.4"][0]
    document = json.loads((tmp_path / name).read_text())
    document["definitions"].pop("TextBlock")
    (tmp_path / name).write_text(json.dumps(document))
    assert not schemas.installed(tmp_path)
    with pytest.raises(schemas.SchemaMissing):
        schemas.load("1.4", tmp_path)


def test_the_documented_message_is_accepted_and_posted(teams: Rig) -> None:
    answer = teams.post("support", fixture("webhook_message.docs_example.json"))
    assert answer.status_code == 202
    assert answer.content == b""
    [run] = teams.sandbox.runs("support")
    assert (run.outcome, run.run_id) == ("posted", answer.headers["x-ms-workflow-run-id"])
    assert teams.sandbox.cards("support")[0]["version"] == "1.2"
    assert teams.sandbox.runs("support-escalations") == []


def test_webhook_url_has_the_workflows_shape(teams: Rig) -> None:
    url = urlsplit(teams.sandbox.webhook_url("support"))
    assert url.path.startswith("/workflows/")
    assert url.path.endswith("/triggers/manual/paths/invoke")
    query = parse_qs(url.query)
    assert query["api-version"] == ["2016-06-01"]
    assert query["sp"] == ["/triggers/manual/run"]
    assert query["sv"] == ["1.0"]
    other = parse_qs(urlsplit(teams.sandbox.webhook_url("support-management")).query)
    assert len(query["sig"][0]) == 43
    assert other["sig"] != query["sig"]


def replace_query(url: str, **changes: str | None) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    for key, value in changes.items():
        if value is None:
            query.pop(key.replace("_", "-"), None)
        else:
            query[key.replace("_", "-")] = value
    return parts._replace(query="&".join(f"{k}={v}" for k, v in query.items())).geturl()


def test_a_missing_or_wrong_signature_is_refused_like_logic_apps(teams: Rig) -> None:
    url = teams.sandbox.webhook_url("support")
    other_sig = parse_qs(urlsplit(teams.sandbox.webhook_url("support-engineering")).query)["sig"][0]
    body = message(card(text("hi")))
    missing = teams.post("support", body, replace_query(url, sig=None))
    assert missing.status_code == 401
    assert missing.json() == fixture("error_401_missing_signature.observed.json")
    for wrong in ("A" * 43, other_sig):
        answer = teams.post("support", body, replace_query(url, sig=wrong))
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == "DirectApiInvalidAuthorizationSignature"
    no_version = teams.post("support", body, replace_query(url, api_version=None))
    assert no_version.status_code == 400
    unknown = teams.post("support", body, url.replace("/workflows/", "/workflows/0"))
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "WorkflowNotFound"
    assert teams.sandbox.runs("support") == []


def test_power_platform_url_shape_reaches_the_same_trigger(teams: Rig) -> None:
    url = teams.sandbox.webhook_url("support").replace(
        "/workflows/", "/powerautomate/automations/direct/workflows/"
    )
    assert teams.post("support", message(card(text("hi"))), url).status_code == 202
    assert len(teams.sandbox.cards("support")) == 1


def test_a_card_above_the_rendered_version_is_accepted_but_not_displayed(teams: Rig) -> None:
    answer = teams.post("support", message(fixture("card_1_5_not_displayed.issue_9801.json")))
    assert answer.status_code == 202
    [run] = teams.sandbox.runs("support")
    assert run.outcome == "not_rendered"
    assert run.problems == ["We're sorry, this card couldn't be displayed"]
    assert teams.sandbox.cards("support") == []


def test_a_sandbox_rendering_1_5_shows_1_5_cards() -> None:
    sandbox = TeamsSandbox(channels=["support"], render_version="1.5")
    with serve(sandbox):
        table = {"type": "Table", "columns": [{"width": 1}], "rows": []}
        rig = Rig(sandbox, Clock())
        assert rig.post("support", message(card(table, version="1.5"))).status_code == 202
        assert [r.outcome for r in sandbox.runs("support")] == ["posted"]


def test_cards_are_checked_against_the_official_schema(teams: Rig) -> None:
    table = {"type": "Table", "columns": [{"width": 1}], "rows": []}
    bad = [
        card({"type": "TextBlok", "text": "typo"}),
        card(table),  # Table is a 1.5 element
        card(text("x"), actions=[{"type": "Action.OpenUrl", "title": "no url"}]),
        {"type": "AdaptiveCard", "body": [text("no version")]},
    ]
    for body in bad:
        assert teams.post("support", message(body)).status_code == 202
    runs = teams.sandbox.runs("support")
    assert [r.outcome for r in runs] == ["failed"] * len(bad)
    assert runs[0].problems[0].startswith("body/0:")
    assert teams.sandbox.cards("support") == []


def test_the_teams_msteams_extension_is_allowed(teams: Rig) -> None:
    wide = card(text("full width"), msteams={"width": "Full"})
    assert teams.post("support", message(wide)).status_code == 202
    assert teams.post("support", message(card(text("x"), msteams="Full"))).status_code == 202
    assert [r.outcome for r in teams.sandbox.runs("support")] == ["posted", "failed"]


def test_the_envelope_must_be_a_message_of_adaptive_cards(teams: Rig) -> None:
    hero = {
        "type": "message",
        "attachments": [{"contentType": "application/vnd.microsoft.card.hero"}],
    }
    for body in ({"type": "note", "attachments": message(card())["attachments"]}, hero, {}):
        assert teams.post("support", body).status_code == 202
    assert {r.outcome for r in teams.sandbox.runs("support")} == {"failed"}
    broken = teams.post("support", b'{"type": "message", ')
    assert broken.status_code == 400
    assert broken.json()["error"]["code"] == "InvalidRequestContent"


def test_messages_over_28_kb_are_not_posted(teams: Rig) -> None:
    def sized(total: int) -> bytes:
        empty = json.dumps(message(card(text("")))).encode()
        return json.dumps(message(card(text("x" * (total - len(empty)))))).encode()

    assert teams.post("support", sized(28 * 1024)).status_code == 202
    assert teams.post("support", sized(28 * 1024 + 1)).status_code == 202
    runs = teams.sandbox.runs("support")
    assert [r.outcome for r in runs] == ["posted", "failed"]
    assert runs[1].problems == ["Request Entity too large"]


def test_more_than_four_requests_a_second_get_429(teams: Rig) -> None:
    body = message(card(text("burst")))
    answers = [teams.post("support", body) for _ in range(5)]
    assert [a.status_code for a in answers] == [202, 202, 202, 202, 429]
    assert answers[-1].headers["Retry-After"] == "1"
    assert answers[-1].json()["error"]["code"] == "WorkflowRequestsThrottled"
    assert teams.post("support-management", body).status_code == 202  # per webhook
    teams.clock.now += 1
    assert teams.post("support", body).status_code == 202
    assert len(teams.sandbox.cards("support")) == 5


def test_injected_throttling_and_reset(teams: Rig) -> None:
    teams.sandbox.rate_limit(retry_after=30)
    throttled = teams.post("support", message(card(text("x"))))
    assert (throttled.status_code, throttled.headers["Retry-After"]) == (429, "30")
    assert teams.post("support", message(card(text("x")))).status_code == 202
    assert teams.sandbox.calls["webhook"] == 2
    teams.sandbox.reset()
    assert teams.sandbox.runs("support") == []
    assert teams.sandbox.calls["webhook"] == 0


def test_page_renders_cards_readably_and_escaped(teams: Rig) -> None:
    facts = {"type": "FactSet", "facts": [{"title": "Tier", "value": "L2 <senior>"}]}
    columns = {
        "type": "ColumnSet",
        "columns": [
            {"type": "Column", "items": [text("left")]},
            {"type": "Column", "items": [text("right")]},
        ],
    }
    body = card(
        {"type": "TextBlock", "text": "<script>alert(1)</script>", "weight": "Bolder"},
        facts,
        columns,
        actions=[
            {
                "type": "Action.OpenUrl",
                "title": "Open ticket",
                "url": "https://bridge.example/t/1?a=1&b=2",
            },
            {"type": "Action.OpenUrl", "title": "Sneaky", "url": "javascript:alert(1)"},
        ],
    )
    teams.post("support-escalations", message(body))
    teams.post("support-escalations", message(fixture("card_1_5_not_displayed.issue_9801.json")))
    html = requests.get(teams.sandbox.base_url + "/", timeout=5).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html
    assert "<dt>Tier</dt><dd>L2 &lt;senior&gt;</dd>" in html
    assert 'href="https://bridge.example/t/1?a=1&amp;b=2"' in html
    assert "javascript:" not in html
    assert "left" in html and "right" in html
    assert "We&#x27;re sorry, this card couldn&#x27;t be displayed" in html


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("**Zendesk \\#1**: hi", "<b>Zendesk #1</b>: hi"),
        ("\\<script\\>", "&lt;script&gt;"),
        ("**unclosed <b>", "<b>unclosed &lt;b&gt;</b>"),
        ("a\\\\b", "a\\b"),
        ("\\n stays", "\\n stays"),
    ],
)
def test_the_page_renders_the_markdown_teams_does(text: str, shown: str) -> None:
    assert markdown(text) == shown
