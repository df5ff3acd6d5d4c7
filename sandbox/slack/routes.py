"""The Slack stand-in's HTTP surface: the Web API methods the bridge calls (auth.test,
chat.postMessage, chat.update, chat.postEphemeral, conversations.list, conversations.history,
conversations.replies, usergroups.users.list) answered the way Slack answers (ids vs names,
scopes, membership), a page of the channels whose buttons click through to the bridge, and
signed ``block_actions`` clicks as Slack interactivity sends them."""

from __future__ import annotations

import base64
import hmac
import json
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import requests
from flask import Response, jsonify, redirect, render_template_string, request

from sandbox.common import Fault, SandboxService
from sandbox.slack.blocks import block_problems
from sandbox.slack.state import SlackState
from sandbox.slack.wire import (
    BRIDGE_SCOPES,
    RATE_LIMITED,
    SCOPES_NEEDED,
    auth_test,
    block_actions,
    error,
    interaction_request,
    visible,
)


class SlackSandbox(SlackState, SandboxService):
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
        not_member: Iterable[str] = (),
        scopes: Iterable[str] = BRIDGE_SCOPES,
        usergroups: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        SandboxService.__init__(self)  # first: the state shares its lock
        SlackState.__init__(
            self,
            token=token,
            channels=channels,
            archived=archived,
            bridge_actions_url=bridge_actions_url,
            signing_secret=signing_secret,
            clock=clock,
            not_member=not_member,
            scopes=scopes,
        )
        # User groups (S…) and their members' user ids, as the workspace admin set them.
        self.usergroups = {g: tuple(users) for g, users in (usergroups or {}).items()}
        app = self.app
        app.add_url_rule("/api/<method>", view_func=self._api, methods=["POST", "GET"])
        app.add_url_rule("/", view_func=self._page)
        app.add_url_rule("/click", view_func=self._click, methods=["POST"])

    def reset(self) -> None:
        """Forget messages, calls and queued faults (a served sandbox reused across tests)."""
        with self.lock:
            super().reset()
            self.calls.clear()
        self.faults.clear()

    def rate_limit(self, method: str, retry_after: float = 1, times: int = 1) -> None:
        fault = Fault(status=429, retry_after=retry_after, body=RATE_LIMITED)
        self.faults.inject(method, fault, times)

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
            "conversations.list": self._list,
            "conversations.history": self._history,
            "conversations.replies": self._replies,
            "usergroups.users.list": self._usergroup_users,
        }.get(method)
        if handler is None:
            return self._scoped(_error("unknown_method"))
        needed = SCOPES_NEEDED.get(method, ())
        if needed and not self.scopes.intersection(needed):
            # SCOPES: the error names what was needed and what the token has.
            missing = _error("missing_scope", needed=",".join(needed), provided=self._granted())
            return self._scoped(missing)
        return self._scoped(handler(args))

    def _granted(self) -> str:
        return ",".join(sorted(self.scopes))

    def _scoped(self, response: Response) -> Response:
        # SCOPES: every Web API answer lists the token's scopes in X-OAuth-Scopes.
        response.headers["X-OAuth-Scopes"] = self._granted()
        return response

    def _usergroup_users(self, args: Mapping[str, Any]) -> Response:
        """M-ugusers: ``usergroup`` (required) names the group; its members' user ids."""
        members = self.usergroups.get(str(args.get("usergroup") or ""))
        if members is None:
            return _error("no_such_subteam")
        return jsonify(ok=True, users=list(members))

    def _auth_test(self, _: Mapping[str, Any]) -> Response:
        return jsonify(auth_test(self.request_base_url() + "/"))

    def _channel(
        self, args: Mapping[str, Any], *, by_name: bool = False
    ) -> tuple[str, Response | None]:
        found, problem = self.find_channel(str(args.get("channel") or ""), by_name=by_name)
        return found or "", _error(problem) if problem else None

    def _content_error(self, args: Mapping[str, Any]) -> Response | None:
        blocks = args.get("blocks")
        if blocks is not None and block_problems(blocks):
            return _error("invalid_blocks", errors=block_problems(blocks))
        if not args.get("text") and not blocks:
            return _error("no_text")
        return None

    def _post_message(self, args: Mapping[str, Any]) -> Response:
        channel, problem = self._channel(args, by_name=True)
        problem = problem or self._content_error(args) or self._membership(channel)
        if problem:
            return problem
        message = self.post_message(
            channel,
            text=args.get("text", ""),
            blocks=args.get("blocks", []),
            thread_ts=args.get("thread_ts"),
            metadata=args.get("metadata"),
        )
        if message is None:
            return _error("thread_not_found")
        return jsonify(ok=True, channel=channel, ts=message["ts"], message=message)

    def _membership(self, channel: str) -> Response | None:
        # M-post: without chat:write.public the bot posts only where it is a member.
        if channel in self.outside and "chat:write.public" not in self.scopes:
            return _error("not_in_channel")
        return None

    def _update(self, args: Mapping[str, Any]) -> Response:
        channel, problem = self._channel(args)
        problem = problem or self._content_error(args)
        if problem:
            return problem
        message = self.update_message(
            channel, args.get("ts"), text=args.get("text", ""), blocks=args.get("blocks", [])
        )
        if message is None:
            return _error("message_not_found")
        return jsonify(
            ok=True, channel=channel, ts=message["ts"], text=message["text"], message=message
        )

    def _post_ephemeral(self, args: Mapping[str, Any]) -> Response:
        channel, problem = self._channel(args, by_name=True)
        problem = problem or self._content_error(args)
        if problem:
            return problem
        if not args.get("user"):
            return _error("user_not_in_channel")
        ts = self.post_ephemeral(channel, args["user"], args.get("text", ""))
        return jsonify(ok=True, message_ts=ts)

    def _list(self, args: Mapping[str, Any]) -> Response:
        """M-list: cursor pages of at most ``limit`` (default 100, at most 1000), archived ones
        left out with ``exclude_archived``, ``types`` public_channel / private_channel."""
        types = str(args.get("types") or "public_channel").split(",")
        rows = [
            c
            for c in self.conversations()
            if ("private_channel" if c["is_private"] else "public_channel") in types
            and not (c["is_archived"] and _flag(args, "exclude_archived"))
        ]
        limit = max(1, min(1000, int(args.get("limit") or 100)))
        start = _offset(str(args.get("cursor") or ""))
        page = rows[start : start + limit]
        more = start + limit < len(rows)
        cursor = _cursor(start + limit) if more else ""
        return jsonify(ok=True, channels=page, response_metadata={"next_cursor": cursor})

    def _history(self, args: Mapping[str, Any]) -> Response:
        channel, problem = self._channel(args)
        if problem:
            return problem
        found = self.history(channel, float(args.get("oldest") or 0))
        messages = visible(found, include_metadata=_metadata(args))
        return jsonify(ok=True, messages=messages, has_more=False)

    def _replies(self, args: Mapping[str, Any]) -> Response:
        channel, problem = self._channel(args)
        if problem:
            return problem
        found = self.replies(channel, str(args.get("ts") or ""))
        if found is None:
            return _error("thread_not_found")
        messages = visible(found, include_metadata=_metadata(args))
        return jsonify(ok=True, messages=messages, has_more=False)

    # ---- the demo page ----

    def _page(self) -> str:
        with self.lock:
            channels = {
                (name, cid): (self.messages(cid), self.channels[cid])
                for name, cid in sorted(self.names.items())
            }
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


def _metadata(args: Mapping[str, Any]) -> bool:
    return _flag(args, "include_all_metadata")


def _cursor(offset: int) -> str:
    """An opaque cursor (Slack's are base64 text; what they hold is not documented)."""
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _offset(cursor: str) -> int:
    try:
        return max(0, int(base64.urlsafe_b64decode(cursor).decode().partition(":")[2]))
    except ValueError:
        return 0


def _flag(args: Mapping[str, Any], name: str) -> bool:
    return str(args.get(name, "")).lower() in ("1", "true")


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
    return jsonify(error(code, **extra))


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
    payload = block_actions(
        action_id=action_id,
        value=value,
        channel=channel,
        message_ts=message_ts,
        user_id=user_id,
        user_name=user_name,
    )
    stamp = int(time.time()) if timestamp is None else timestamp
    body, headers = interaction_request(payload, signing_secret, stamp)
    return (session or requests).post(url, data=body, headers=headers, timeout=10)


_PAGE = """<!doctype html><title>Slack sandbox</title>
<style>body{font:14px sans-serif;margin:2em} .msg{border:1px solid #ccc;padding:.5em;margin:.5em 0}
.reply{margin-left:2em;color:#444}</style>
<h1>Slack sandbox</h1>
<p>Clicks go to: {{ bridge or "(no bridge URL configured)" }}</p>
{% for (name, channel), (parents, everything) in channels.items() %}
<h2>#{{ name }} <small>{{ channel }}</small></h2>
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
