"""Channel names and ids (issue 12, mismatch 1): Slack's conversations.* methods and chat.update
take a conversation id, so a retried post must look for its message by id, never by name."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk.errors import SlackApiError

from connectors.base import PermanentError
from connectors.slack.client import SlackClient
from sandbox.common import Served, serve
from sandbox.slack import SlackSandbox

TOKEN = "xoxb-test-token"


@pytest.fixture(scope="module")
def served_slack() -> Iterator[tuple[SlackSandbox, Served]]:
    sandbox = SlackSandbox(
        token=TOKEN, channels=["#support", "C0IDONLY"], not_member=["#elsewhere"]
    )
    with serve(sandbox) as served:
        yield sandbox, served


@pytest.fixture
def slack(served_slack: tuple[SlackSandbox, Served]) -> tuple[SlackSandbox, Served]:
    served_slack[0].reset()
    return served_slack


def client(served: Served) -> SlackClient:
    return SlackClient(TOKEN, base_url=served.url + "/api/", max_wait=0.0)


def test_the_sandbox_refuses_a_name_where_slack_wants_an_id(
    slack: tuple[SlackSandbox, Served],
) -> None:
    sandbox, served = slack
    raw = client(served)._client
    posted = raw.chat_postMessage(channel="#support", text="hi")
    assert posted["channel"] == sandbox.channel_id("#support") != "#support"
    for call in (
        lambda: raw.conversations_history(channel="#support"),
        lambda: raw.conversations_replies(channel="support", ts=str(posted["ts"])),
        lambda: raw.chat_update(channel="#support", ts=str(posted["ts"]), text="edited"),
    ):
        with pytest.raises(SlackApiError) as raised:
            call()
        assert raised.value.response["error"] == "channel_not_found"


@pytest.mark.parametrize("given", ["#support", "support", "C0IDONLY"])
def test_a_retried_post_finds_its_message_by_the_channels_id(
    slack: tuple[SlackSandbox, Served], given: str
) -> None:
    sandbox, served = slack
    slack_client = client(served)
    channel_id, ts = slack_client.post_message(given, {"text": "x"}, idempotency_key="k1")
    assert slack_client.find_posted(given, "k1", oldest=0) == ts
    assert slack_client.find_posted(given, "k2", oldest=0) is None
    assert slack_client.channel_id(given) == channel_id
    slack_client.update_message(given, ts, {"text": "edited"})
    assert sandbox.messages(channel_id)[0]["text"] == "edited"


def test_names_are_listed_once_and_looked_up_again_only_for_an_unknown_name(
    slack: tuple[SlackSandbox, Served],
) -> None:
    sandbox, served = slack
    slack_client = client(served)
    slack_client.channel_id("#support")
    slack_client.channel_id("#support")
    assert sandbox.calls["conversations.list"] == 1
    with pytest.raises(PermanentError, match="no channel named '#nowhere'"):
        slack_client.channel_id("#nowhere")
    assert sandbox.calls["conversations.list"] == 2


def test_channel_list_pages_through_every_cursor(
    slack: tuple[SlackSandbox, Served], monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox, served = slack
    monkeypatch.setattr("connectors.slack.client.LIST_PAGE_SIZE", 1)
    listed = [c["name"] for c in client(served).list_channels()]
    assert sorted(listed) == ["c0idonly", "elsewhere", "support"]
    assert sandbox.calls["conversations.list"] == 3


def test_a_channel_the_bot_is_not_in_is_not_in_channel(
    slack: tuple[SlackSandbox, Served],
) -> None:
    _, served = slack
    with pytest.raises(PermanentError, match="not_in_channel"):
        client(served).post_message("#elsewhere", {"text": "x"})
