"""Checks of one recorded request against the vendored specification parts (see SOURCES.md)."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from sandbox.common import Seen

SPECS = Path(__file__).parent / "specs"
# Zendesk paths outside the vendored resources (SOURCES.md says why).
UNVENDORED = re.compile(r"/api/v2/webhooks(/[^/]+(/signing_secret)?)?")
# Slack arguments newer than the 2021 snapshot, with the page that documents each.
SLACK_ADDED_SINCE = {
    "metadata": "https://docs.slack.dev/reference/methods/chat.postMessage",
    "include_all_metadata": "https://docs.slack.dev/reference/methods/conversations.history",
}
_SLACK_ID = re.compile(r"[CGD][A-Z0-9]+")


@cache
def _load(name: str) -> Any:
    return json.loads((SPECS / name).read_text())


def zendesk_operation(method: str, path: str) -> dict[str, Any] | None:
    """The vendored operation a request is, matching ``{param}`` segments and ``.json``."""
    bare = path.removesuffix(".json")
    for template, methods in _load("zendesk_operations.json")["operations"].items():
        pattern = re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, bare) and method.lower() in methods:
            found: dict[str, Any] = methods[method.lower()]
            return found
    return None


def zendesk_problems(seen: Seen, role: str) -> list[str]:
    if UNVENDORED.fullmatch(seen.path.removesuffix(".json")):
        return []
    operation = zendesk_operation(seen.method, seen.path)
    if operation is None:
        return [f"{seen.method} {seen.path}: no such operation in the Zendesk spec"]
    problems = [
        f"{operation['operationId']}: required query parameter {name} missing"
        for name in operation["required_query"]
        if name not in seen.query
    ]
    if not role_allows(operation["allowed_for"], role):
        problems.append(
            f"{operation['operationId']}: allowed for {operation['allowed_for']}, not {role}s"
        )
    return problems


def role_allows(allowed_for: list[str], role: str) -> bool:
    """Admins may do what agents may; "Anyone"/"Anonymous users" includes both; no note: any."""
    if not allowed_for:
        return True
    texts = [a.casefold() for a in allowed_for]
    if any(t.startswith(("anyone", "anonymous", "end users")) for t in texts):
        return True
    if any(t.startswith("agents") for t in texts):
        return True
    return role == "admin" and any(t.startswith("admins") for t in texts)


def slack_problems(seen: Seen) -> list[str]:
    method = seen.path.rsplit("/", 1)[-1]
    spec = _load("slack_web_api_methods.json")["methods"].get(method)
    if spec is None:
        return [f"{method}: not a Slack Web API method"]
    arguments = _slack_arguments(seen)
    parameters = spec["parameters"]
    problems = [
        f"{method}: unknown argument {name}"
        for name in arguments
        if name not in parameters and name not in SLACK_ADDED_SINCE
    ]
    for name, parameter in parameters.items():
        if parameter.get("required") and name != "token" and name not in arguments:
            problems.append(f"{method}: required argument {name} missing")
    channel = arguments.get("channel")
    described = str(parameters.get("channel", {}).get("description", "")).casefold()
    if channel is not None and "name" not in described and not _SLACK_ID.fullmatch(str(channel)):
        problems.append(f"{method}: channel {channel!r} is not a conversation id")
    return problems


def _slack_arguments(seen: Seen) -> dict[str, Any]:
    if seen.form or not seen.body:
        return {**seen.query, **seen.form}
    data = json.loads(seen.body)
    return {**seen.query, **(data if isinstance(data, dict) else {})}


def pagerduty_problems(seen: Seen) -> list[str]:
    spec = _load("pagerduty_events_v2_openapiv3.json")
    operation = spec["paths"].get(seen.path.removeprefix("/v2"))
    if operation is None or seen.method.lower() not in operation:
        return [f"{seen.method} {seen.path}: no such operation in the Events API spec"]
    schema = operation["post"]["requestBody"]["content"]["application/json"]["schema"]
    resolver_root = {"components": spec["components"], **schema}
    validator = jsonschema.Draft7Validator(resolver_root)
    problems = [f"enqueue: {e.message}" for e in validator.iter_errors(json.loads(seen.body))]
    if len(seen.body) > 512 * 1024:
        problems.append(f"enqueue: {len(seen.body)} bytes, over the 512 KB limit")
    return problems


def opsgenie_problems(seen: Seen) -> list[str]:
    """An Alert API request: a known operation, its query parameters within their enums, its
    body valid (and naming no property the operation does not have), the GenieKey header."""
    spec = _load("opsgenie_alert_operations.json")
    found = [
        (name, operation)
        for name, operation in spec["operations"].items()
        if seen.method == operation["method"]
        and re.fullmatch(re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(operation["path"])), seen.path)
    ]
    if not found:
        return [f"{seen.method} {seen.path}: no such operation in the Opsgenie spec"]
    name, operation = found[0]
    problems = []
    auth = spec["auth"]
    if not seen.headers.get(auth["header"], "").startswith(auth["prefix"]):
        problems.append(f"{name}: no {auth['prefix'].strip()} {auth['header']} header")
    for key, value in seen.query.items():
        allowed = operation["query"].get(key)
        if allowed is None or value not in allowed["enum"]:
            problems.append(f"{name}: query parameter {key}={value!r} not allowed")
    schema = operation["body"]
    if schema is not None:
        body = json.loads(seen.body or b"{}")
        validator = jsonschema.Draft7Validator(schema)
        problems += [f"{name}: {e.message}" for e in validator.iter_errors(body)]
        unknown = sorted(set(body) - set(schema["properties"])) if isinstance(body, dict) else []
        problems += [f"{name}: unknown property {key}" for key in unknown]
    return problems


def clickup_problems(seen: Seen) -> list[str]:
    """A request to ClickUp: a documented operation, documented query parameters (``tags[]``
    is the array parameter ``tags``), and a body with documented fields of their types."""
    path = seen.path.removeprefix("/api")
    for template, methods in _load("clickup_operations.json")["operations"].items():
        pattern = re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path) and seen.method.lower() in methods:
            operation = methods[seen.method.lower()]
            break
    else:
        return [f"{seen.method} {seen.path}: no such operation in the ClickUp reference"]
    name = operation["operationId"]
    problems = [
        f"{name}: query parameter {key} is not documented"
        for key in seen.query
        if key.removesuffix("[]") not in operation["query"]
    ]
    schema = operation.get("body")
    if schema is None:
        return problems + ([f"{name}: takes no body"] if seen.body else [])
    body = json.loads(seen.body)
    strict = {**schema, "additionalProperties": False}
    validator = jsonschema.Draft202012Validator(strict)
    return problems + [f"{name}: {error.message}" for error in validator.iter_errors(body)]


def intercom_operation(method: str, path: str) -> dict[str, Any] | None:
    """The vendored Intercom 2.11 operation a request is, matching ``{param}`` segments."""
    for template, methods in _load("intercom_2.11_operations.json")["operations"].items():
        pattern = re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path) and method.lower() in methods:
            found: dict[str, Any] = methods[method.lower()]
            return found
    return None


def intercom_problems(seen: Seen) -> list[str]:
    """The operation exists, its version header is one Intercom knows, required query
    parameters are there, and the JSON body validates (``oneOf``: exactly one request kind)."""
    spec = _load("intercom_2.11_operations.json")
    operation = intercom_operation(seen.method, seen.path)
    if operation is None:
        return [f"{seen.method} {seen.path}: no such operation in the Intercom 2.11 spec"]
    name = operation["operationId"]
    problems = [
        f"{name}: required query parameter {q} missing"
        for q in operation["required_query"]
        if q not in seen.query
    ]
    for key, value in seen.query.items():
        allowed = operation["query"].get(key)
        if allowed is None:
            problems.append(f"{name}: unknown query parameter {key}")
        elif "enum" in allowed and value not in allowed["enum"]:
            problems.append(f"{name}: {key}={value!r} is not one of {allowed['enum']}")
    version = {k.casefold(): v for k, v in seen.headers.items()}.get("intercom-version")
    if version not in spec["intercom_version_enum"]:
        problems.append(f"{name}: Intercom-Version {version!r} is not a version")
    if operation["body"] is not None:
        validator = jsonschema.Draft7Validator(operation["body"])
        body = json.loads(seen.body or b"null")
        problems += [f"{name}: {e.message}" for e in validator.iter_errors(body)]
    elif seen.body and seen.method in ("GET", "PUT", "POST"):
        problems.append(f"{name}: sends a body the operation does not take")
    return problems
