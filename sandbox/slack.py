"""A Slack Web API stand-in: chat.postMessage / chat.update / chat.postEphemeral / auth.test.

It answers the way Slack does (HTTP 200 with ``{"ok": false, "error": ...}`` for API errors, 429
with ``Retry-After`` through fault injection), checks Block Kit limits, keeps channels and
threads in memory, and can send signed button clicks to the bridge like Slack interactivity.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import quote

import requests
from flask import Response, jsonify, redirect, render_template_string, request

from sandbox.common import Fault, SandboxService
from sandbox.slack_blocks_check import block_problems

Message = dict[str, Any]


class SlackSandbox(SandboxService):
    name = "slack"

    def __init__(
        self,
        *,
        token: str = "xoxb-sandbox-token",
        channels: Iterable[str] = ("C0ESCALATE",),
        archived: Iterable[str] = (),
        bridge_actions_url: str | None = None,
        signing_secret: str = "sandbox-signing-secret",
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        self.token = token
        self.channels: dict[str, list[Message]] = {c: [] for c in (*channels, *archived)}
        self.archived = frozenset(archived)
        self.ephemeral: list[Message] = []
        self.bridge_actions_url = bridge_actions_url
        self.signing_secret = signing_secret
        self._clock = clock
        self._sequence = 0
        app = self.app
        app.add_url_rule("/api/<method>", view_func=self._api, methods=["POST", "GET"])
        app.add_url_rule("/", view_func=self._page)
        app.add_url_rule("/click", view_func=self._click, methods=["POST"])

    # ---- test helpers ----

    def messages(self, channel: str) -> list[Message]:
        """Top-level messages of ``channel``, oldest first."""
        with self.lock:
            return [m for m in self.channels.get(channel, []) if "thread_ts" not in m]

    def thread(self, channel: str, ts: str) -> list[Message]:
        """Replies under the parent ``ts``, oldest first."""
        with self.lock:
            return [m for m in self.channels.get(channel, []) if m.get("thread_ts") == ts]

    def reset(self) -> None:
        """Forget messages, calls and queued faults (a served sandbox reused across tests)."""
        with self.lock:
            for messages in self.channels.values():
                messages.clear()
            self.ephemeral.clear()
            self.calls.clear()
        self.faults.clear()

    def rate_limit(self, method: str, retry_after: float = 1, times: int = 1) -> None:
        body = {"ok": False, "error": "ratelimited"}
        self.faults.inject(method, Fault(status=429, retry_after=retry_after, body=body), times)

    # ---- the Web API ----

    def _api(self, method: str) -> Response:
        fault = self.hit(method)
        if fault is not None:
            return fault
        args = _arguments()
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        token = token or str(args.get("token", ""))
        if not token:
            return _error("not_authed")
        if not hmac.compare_digest(token.encode(), self.token.encode()):
            return _error("invalid_auth")
        handler = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "chat.postEphemeral": self._post_ephemeral,
            "conversations.history": self._history,
            "conversations.replies": self._replies,
        }.get(method)
        return handler(args) if handler else _error("unknown_method")

    def _auth_test(self, _: Mapping[str, Any]) -> Response:
        return jsonify(
            ok=True,
            url=self.request_base_url() + "/",
            team="Sandbox",
            user="bridge",
            team_id="T0SANDBOX",
            user_id="U0BRIDGE",
            bot_id="B0BRIDGE",
        )

    def _channel_error(self, channel: str) -> Response | None:
        if not channel or channel not in self.channels:
            return _error("channel_not_found")
        if channel in self.archived:
            return _error("is_archived")
        return None

    def _content_error(self, args: Mapping[str, Any]) -> Response | None:
        blocks = args.get("blocks")
        if blocks is not None and block_problems(blocks):
            return _error("invalid_blocks", errors=block_problems(blocks))
        if not args.get("text") and not blocks:
            return _error("no_text")
        return None

    def _post_message(self, args: Mapping[str, Any]) -> Response:
        channel = str(args.get("channel") or "")
        problem = self._channel_error(channel) or self._content_error(args)
        if problem:
            return problem
        with self.lock:
            thread_ts = args.get("thread_ts")
            if thread_ts and not any(m["ts"] == thread_ts for m in self.channels[channel]):
                return _error("thread_not_found")
            message: Message = {
                "type": "message",
                "ts": self._next_ts(),
                "bot_id": "B0BRIDGE",
                "text": args.get("text", ""),
                "blocks": args.get("blocks", []),
            }
            if thread_ts:
                message["thread_ts"] = thread_ts
            metadata = args.get("metadata")
            if isinstance(metadata, str):
                metadata = json.loads(metadata)
            if metadata:
                message["metadata"] = metadata
            self.channels[channel].append(message)
        return jsonify(ok=True, channel=channel, ts=message["ts"], message=message)

    def _update(self, args: Mapping[str, Any]) -> Response:
        channel = str(args.get("channel") or "")
        problem = self._channel_error(channel) or self._content_error(args)
        if problem:
            return problem
        with self.lock:
            found = [m for m in self.channels[channel] if m["ts"] == args.get("ts")]
            if not found:
                return _error("message_not_found")
            found[0].update(text=args.get("text", ""), blocks=args.get("blocks", []))
            found[0]["edited"] = {"user": "U0BRIDGE", "ts": self._next_ts()}
        return jsonify(
            ok=True, channel=channel, ts=found[0]["ts"], text=found[0]["text"], message=found[0]
        )

    def _post_ephemeral(self, args: Mapping[str, Any]) -> Response:
        problem = self._channel_error(str(args.get("channel") or "")) or self._content_error(args)
        if problem:
            return problem
        if not args.get("user"):
            return _error("user_not_in_channel")
        with self.lock:
            ts = self._next_ts()
            self.ephemeral.append(
                {
                    "channel": args["channel"],
                    "user": args["user"],
                    "ts": ts,
                    "text": args.get("text", ""),
                }
            )
        return jsonify(ok=True, message_ts=ts)

    def _history(self, args: Mapping[str, Any]) -> Response:
        channel = str(args.get("channel") or "")
        problem = self._channel_error(channel)
        if problem:
            return problem
        oldest = float(args.get("oldest") or 0)
        with self.lock:
            found = [m for m in self.messages(channel) if float(m["ts"]) >= oldest]
        return jsonify(ok=True, messages=_with_metadata(reversed(found), args), has_more=False)

    def _replies(self, args: Mapping[str, Any]) -> Response:
        channel = str(args.get("channel") or "")
        problem = self._channel_error(channel)
        if problem:
            return problem
        ts = str(args.get("ts") or "")
        with self.lock:
            parent = [m for m in self.channels[channel] if m["ts"] == ts]
            if not parent:
                return _error("thread_not_found")
            found = parent + self.thread(channel, ts)
        return jsonify(ok=True, messages=_with_metadata(found, args), has_more=False)

    def _next_ts(self) -> str:
        self._sequence += 1
        return f"{int(self._clock())}.{self._sequence:06d}"

    # ---- the demo page ----

    def _page(self) -> str:
        with self.lock:
            channels = {c: (self.messages(c), self.channels[c]) for c in self.channels}
        return render_template_string(_PAGE, channels=channels, bridge=self.bridge_actions_url)

    def _click(self) -> Response:
        if not self.bridge_actions_url:
            return Response("no bridge URL configured", status=409)
        form = request.form
        send_click(
            self.bridge_actions_url,
            signing_secret=self.signing_secret,
            action_id=form["action_id"],
            value=form["value"],
            channel=form["channel"],
            message_ts=form["ts"],
            user_id=form.get("user_id") or "U0SANDBOX",
        )
        return redirect("/", code=303)  # type: ignore[return-value]


def _with_metadata(messages: Iterable[Message], args: Mapping[str, Any]) -> list[Message]:
    """Slack returns message metadata only when asked with include_all_metadata."""
    include = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
    return [m if include else {k: v for k, v in m.items() if k != "metadata"} for m in messages]


def _arguments() -> dict[str, Any]:
    """Slack takes JSON or form bodies; in forms, ``blocks`` is a JSON-encoded string."""
    if request.is_json:
        data = request.get_json(silent=True)
        return data if isinstance(data, dict) else {}
    args: dict[str, Any] = {**request.args.to_dict(), **request.form.to_dict()}
    if isinstance(args.get("blocks"), str):
        try:
            args["blocks"] = json.loads(args["blocks"])
        except json.JSONDecodeError:
            args["blocks"] = "invalid"
    return args


def _error(code: str, **extra: Any) -> Response:
    return jsonify(ok=False, error=code, **extra)


def sign_slack_request(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Slack-Signature`` value: v0 HMAC-SHA256 over ``v0:{timestamp}:{raw body}``."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def send_click(
    url: str,
    *,
    signing_secret: str,
    action_id: str,
    value: str,
    channel: str,
    message_ts: str,
    user_id: str = "U0SANDBOX",
    user_name: str = "sandbox.user",
    timestamp: int | None = None,
    session: requests.Session | None = None,
) -> requests.Response:
    """POST a signed ``block_actions`` button click to the bridge, as Slack interactivity does."""
    payload = {
        "type": "block_actions",
        "user": {"id": user_id, "username": user_name, "name": user_name, "team_id": "T0SANDBOX"},
        "api_app_id": "A0SANDBOX",
        "team": {"id": "T0SANDBOX", "domain": "sandbox"},
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": False,
        },
        "trigger_id": "0.0.sandbox",
        "channel": {"id": channel, "name": channel},
        "message": {"type": "message", "ts": message_ts, "bot_id": "B0BRIDGE"},
        "response_url": "https://hooks.slack.com/actions/T0SANDBOX/0/sandbox",
        "actions": [
            {
                "action_id": action_id,
                "block_id": "bridge.actions",
                "value": value,
                "type": "button",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    body = ("payload=" + quote(json.dumps(payload))).encode()
    stamp = int(time.time()) if timestamp is None else timestamp
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(stamp),
        "X-Slack-Signature": sign_slack_request(signing_secret, stamp, body),
    }
    return (session or requests).post(url, data=body, headers=headers, timeout=10)


_PAGE = """<!doctype html><title>Slack sandbox</title>
<style>body{font:14px sans-serif;margin:2em} .msg{border:1px solid #ccc;padding:.5em;margin:.5em 0}
.reply{margin-left:2em;color:#444}</style>
<h1>Slack sandbox</h1>
<p>Clicks go to: {{ bridge or "(no bridge URL configured)" }}</p>
{% for channel, (parents, everything) in channels.items() %}
<h2>#{{ channel }}</h2>
{% for m in parents %}<div class="msg"><small>{{ m.ts }}</small><pre>{{ m.text }}</pre>
{% for b in m.blocks if b.type == "actions" %}{% for e in b.elements %}
<form method="post" action="/click" style="display:inline">
<input type="hidden" name="action_id" value="{{ e.action_id }}">
<input type="hidden" name="value" value="{{ e.value }}">
<input type="hidden" name="channel" value="{{ channel }}">
<input type="hidden" name="ts" value="{{ m.ts }}">
<button {% if not bridge %}disabled{% endif %}>{{ e.text.text }}</button></form>
{% endfor %}{% endfor %}
{% for r in everything if r.thread_ts == m.ts %}<div class="reply">↳ {{ r.text }}</div>{% endfor %}
</div>{% else %}<p>No messages.</p>{% endfor %}
{% endfor %}"""
