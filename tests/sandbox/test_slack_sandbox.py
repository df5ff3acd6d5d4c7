from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests
from flask import request
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    SectionBlock,
)
from slack_sdk.signature import SignatureVerifier

from connectors.base import PersonRequestKind
from connectors.slack.inbound import parse_action
from sandbox.common import SandboxService, Served, serve
from sandbox.slack import SlackSandbox, send_click, sign_slack_request, wire
from sandbox.slack.blocks import block_problems

FIXTURES = Path(__file__).parents[1] / "fixtures" / "slack"
TOKEN = "xoxb-sandbox-token"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@pytest.fixture(scope="module")
def served_slack() -> Iterator[tuple[SlackSandbox, Served]]:
    sandbox = SlackSandbox(token=TOKEN, channels=["C1"], signing_secret=SECRET)
    with serve(sandbox) as served:
        yield sandbox, served


@pytest.fixture
def slack(served_slack: tuple[SlackSandbox, Served]) -> tuple[SlackSandbox, Served]:
    served_slack[0].reset()
    served_slack[0].bridge_actions_url = None
    return served_slack


def call(served: Served, method: str, token: str | None = TOKEN, **kwargs: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(f"{served.url}/api/{method}", headers=headers, timeout=5, **kwargs)


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def test_responses_have_the_documented_shape(slack: tuple[SlackSandbox, Served]) -> None:
    _, served = slack
    posted = call(served, "chat.postMessage", json={"channel": "C1", "text": "hi"}).json()
    documented = fixture("chat_postMessage_response.ok.docs_example.json")
    assert set(documented) == set(posted) and posted["ok"] is True
    updated = call(served, "chat.update", json={"channel": "C1", "ts": posted["ts"], "text": "x"})
    assert set(updated.json()) == set(fixture("chat_update_response.ok.docs_example.json"))
    ephemeral = call(
        served, "chat.postEphemeral", json={"channel": "C1", "user": "U1", "text": "x"}
    )
    assert set(ephemeral.json()) == set(fixture("chat_postEphemeral_response.ok.docs_example.json"))
    assert call(served, "auth.test").json()["ok"] is True


def test_form_bodies_with_token_parameter_work(slack: tuple[SlackSandbox, Served]) -> None:
    sandbox, served = slack
    blocks = json.dumps([{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}])
    answer = call(
        served,
        "chat.postMessage",
        token=None,
        data={"token": TOKEN, "channel": "C1", "text": "hi", "blocks": blocks},
    )
    assert answer.status_code == 200 and answer.json()["ok"] is True
    assert sandbox.messages("C1")[0]["blocks"][0]["type"] == "section"


def test_ts_values_look_like_slacks_and_are_unique(slack: tuple[SlackSandbox, Served]) -> None:
    _, served = slack
    stamps = [
        call(served, "chat.postMessage", json={"channel": "C1", "text": str(i)}).json()["ts"]
        for i in range(3)
    ]
    assert len(set(stamps)) == 3
    assert all(len(ts.split(".")[1]) == 6 and ts.split(".")[0].isdigit() for ts in stamps)


@pytest.mark.parametrize(
    ("token", "body", "error"),
    [
        (None, {"channel": "C1", "text": "x"}, "not_authed"),
        ("xoxb-wrong", {"channel": "C1", "text": "x"}, "invalid_auth"),
        (TOKEN, {"channel": "C404", "text": "x"}, "channel_not_found"),
        (TOKEN, {"channel": "C1"}, "no_text"),
        (TOKEN, {"channel": "C1", "text": "x", "thread_ts": "1.000001"}, "thread_not_found"),
        (
            TOKEN,
            {
                "channel": "C1",
                "text": "x",
                "blocks": [{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}],
            },
            "invalid_blocks",
        ),
    ],
)
def test_errors_are_http_200_with_ok_false(
    slack: tuple[SlackSandbox, Served], token: str | None, body: dict[str, Any], error: str
) -> None:
    _, served = slack
    answer = call(served, "chat.postMessage", token=token, json=body)
    assert answer.status_code == 200
    assert answer.json()["ok"] is False and answer.json()["error"] == error


def test_rate_limit_looks_like_slacks_429(slack: tuple[SlackSandbox, Served]) -> None:
    sandbox, served = slack
    recorded = fixture("web_api_429_ratelimited.http_response.json")
    sandbox.rate_limit("chat.postMessage", retry_after=1)
    answer = call(served, "chat.postMessage", json={"channel": "C1", "text": "x"})
    assert answer.status_code == recorded["status"]
    assert answer.headers["Retry-After"] == recorded["headers"]["retry-after"]
    assert answer.json() == recorded["body"]
    assert call(served, "chat.postMessage", json={"channel": "C1", "text": "x"}).json()["ok"]


BUTTON = {"type": "button", "text": {"type": "plain_text", "text": "Go"}, "action_id": "a"}


@pytest.mark.parametrize(
    ("blocks", "problem"),
    [
        ([{"type": "divider"}] * 51, "more than 50 blocks"),
        ([{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}], "section text"),
        ([{"type": "section", "fields": [{"type": "mrkdwn", "text": "x" * 2001}]}], "field"),
        ([{"type": "section", "fields": [{"type": "mrkdwn", "text": "x"}] * 11}], "fields"),
        ([{"type": "section"}], "text or fields"),
        ([{"type": "header", "text": {"type": "mrkdwn", "text": "x"}}], "plain_text"),
        ([{"type": "actions", "elements": [{**BUTTON, "value": "v" * 2001}]}], "button value"),
        (
            [
                {
                    "type": "actions",
                    "elements": [{**BUTTON, "text": {"type": "plain_text", "text": "x" * 76}}],
                }
            ],
            "button text",
        ),
        ([{"type": "actions", "elements": [{**BUTTON, "style": "pink"}]}], "style"),
        ([{"type": "actions", "elements": []}], "actions needs"),
        ([{"type": "context", "elements": [{"type": "mrkdwn", "text": "x"}] * 11}], "context"),
        ([{"type": "wat"}], "unknown block type"),
        ("not a list", "array"),
    ],
)
def test_block_limits(blocks: Any, problem: str) -> None:
    problems = block_problems(blocks)
    assert problems and any(problem in p for p in problems)


def test_valid_blocks_have_no_problems() -> None:
    assert block_problems([{"type": "actions", "elements": [BUTTON]}, {"type": "divider"}]) == []


def test_block_kit_limits_are_the_official_sdks() -> None:
    """Slack's own SDK validates the same limits the reference documents."""
    assert (
        SectionBlock.text_max_length,
        SectionBlock.fields_max_length,
    ) == (wire.SECTION_TEXT_MAX, wire.SECTION_FIELDS_MAX)
    assert HeaderBlock.text_max_length == wire.HEADER_TEXT_MAX
    assert ContextBlock.elements_max_length == wire.CONTEXT_ELEMENTS_MAX
    assert ActionsBlock.elements_max_length == wire.ACTIONS_ELEMENTS_MAX
    assert Block.block_id_max_length == wire.BLOCK_ID_MAX
    assert (
        ButtonElement.text_max_length,
        ButtonElement.action_id_max_length,
        ButtonElement.value_max_length,
        ButtonElement.url_max_length,
    ) == (
        wire.BUTTON_TEXT_MAX,
        wire.ACTION_ID_MAX,
        wire.BUTTON_VALUE_MAX,
        wire.BUTTON_URL_MAX,
    )


def test_signing_matches_slacks_test_vector() -> None:
    vector = fixture("slash_command_form.signing_test_vector.json")
    signature = sign_slack_request(
        vector["signing_secret"],
        int(vector["headers"]["X-Slack-Request-Timestamp"]),
        vector["raw_body"].encode(),
    )
    assert signature == vector["headers"]["X-Slack-Signature"]


class _Receiver(SandboxService):
    """A stand-in bridge endpoint that records what it receives."""

    name = "receiver"

    def __init__(self) -> None:
        super().__init__()
        self.received: list[tuple[bytes, dict[str, str]]] = []
        self.app.add_url_rule("/slack/actions", view_func=self._receive, methods=["POST"])

    def _receive(self) -> str:
        self.received.append((request.get_data(), dict(request.headers)))
        return ""


@pytest.fixture(scope="module")
def receiver() -> Iterator[tuple[_Receiver, Served]]:
    service = _Receiver()
    with serve(service) as served:
        yield service, served


def test_send_click_is_signed_and_parseable(receiver: tuple[_Receiver, Served]) -> None:
    service, served = receiver
    service.received.clear()
    answer = send_click(
        served.url + "/slack/actions",
        signing_secret=SECRET,
        action_id="bridge.own",
        value="zendesk:123",
        channel="C1",
        message_ts="1700000000.000100",
        user_id="U0CLICK",
    )
    assert answer.status_code == 200
    body, headers = service.received[-1]
    assert SignatureVerifier(SECRET).is_valid_request(body, headers)
    assert not SignatureVerifier("other").is_valid_request(body, headers)
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert list(parse_qs(body.decode())) == ["payload"]
    action = parse_action(body)
    assert (action.kind, action.ticket.ticket_id, action.user_id) == (
        PersonRequestKind.TAKE_OWNERSHIP,
        "123",
        "U0CLICK",
    )
    assert (action.channel_id, action.message_ts) == ("C1", "1700000000.000100")


def test_page_lists_messages_and_its_buttons_click_through(
    slack: tuple[SlackSandbox, Served], receiver: tuple[_Receiver, Served]
) -> None:
    sandbox, served = slack
    service, bridge = receiver
    service.received.clear()
    blocks = [
        {
            "type": "actions",
            "elements": [
                {
                    **BUTTON,
                    "action_id": "bridge.ack",
                    "value": "zendesk:5",
                    "text": {"type": "plain_text", "text": "Acknowledge <now>"},
                }
            ],
        }
    ]
    ts = call(
        served, "chat.postMessage", json={"channel": "C1", "text": "Esc & co", "blocks": blocks}
    ).json()["ts"]
    call(served, "chat.postMessage", json={"channel": "C1", "text": "reply", "thread_ts": ts})
    page = requests.get(served.url + "/", timeout=5).text
    assert "Esc &amp; co" in page and "reply" in page and "Acknowledge &lt;now&gt;" in page

    sandbox.bridge_actions_url = bridge.url + "/slack/actions"
    form = {"action_id": "bridge.ack", "value": "zendesk:5", "channel": "C1", "ts": ts}
    answer = requests.post(served.url + "/click", data=form, timeout=5, allow_redirects=False)
    assert answer.status_code == 303
    action = parse_action(service.received[-1][0])
    assert (action.kind, action.message_ts) == (PersonRequestKind.ACKNOWLEDGE, ts)


def test_click_without_bridge_url_is_refused(slack: tuple[SlackSandbox, Served]) -> None:
    _, served = slack
    form = {"action_id": "bridge.ack", "value": "zendesk:5", "channel": "C1", "ts": "1.1"}
    assert requests.post(served.url + "/click", data=form, timeout=5).status_code == 409
