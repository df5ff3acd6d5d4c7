"""The Statuspage REST API v1 stand-in: auth, rate limit, request parsing and the routes."""

from __future__ import annotations

import hmac
import json
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException

from sandbox.common import Fault, SandboxService
from sandbox.statuspage import wire
from sandbox.statuspage.page import status_page
from sandbox.statuspage.state import Invalid, StatuspageState, page_slice

View = Callable[..., Response]


class StatuspageSandbox(SandboxService):
    name = "statuspage"

    def __init__(
        self,
        *,
        api_key: str = "sandbox-statuspage-api-key",
        clock: Callable[[], float] = time.time,
        enforce_rate_limit: bool = True,
    ) -> None:
        super().__init__()
        self.api_key = api_key
        self.enforce_rate_limit = enforce_rate_limit
        self._clock = clock
        self._recent: deque[float] = deque()
        self.state = StatuspageState(clock=lambda: datetime.fromtimestamp(self._clock(), UTC))
        self._routes()

    # ---- test helpers ----

    @property
    def page_id(self) -> str:
        return next(iter(self.state.pages))

    def component_id(self, name: str) -> str:
        with self.state.lock:
            for component in self.state.component_list(self.page_id):
                if component["name"] == name:
                    return str(component["id"])
        raise KeyError(name)

    def reset(self) -> None:
        """Back to the seeded page: no incidents, every component operational, no calls."""
        self.state.seed()
        with self.lock:
            self.calls.clear()
            self._recent.clear()
        self.faults.clear()

    def rate_limit(self, endpoint: str = "*", retry_after: float = 1, times: int = 1) -> None:
        body = wire.error_body(wire.RATE_LIMITED)
        self.faults.inject(endpoint, Fault(status=429, retry_after=retry_after, body=body), times)

    # ---- request checks ----

    def _enter(self, endpoint: str) -> Response | None:
        """Auth first (401 costs no quota), then the rolling-window limit, then faults."""
        if not self._authenticated():
            return _error(401, wire.NOT_AUTHENTICATED)
        if self.enforce_rate_limit and (wait := self._throttle()) is not None:
            response = _error(429, wire.RATE_LIMITED)
            response.headers["Retry-After"] = str(max(1, int(wait + 0.999)))
            return response
        return self.hit(endpoint)

    def _authenticated(self) -> bool:
        header = request.headers.get("Authorization", "")
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "oauth":
            key = request.args.get("api_key", "")
        return bool(key) and hmac.compare_digest(key.strip().encode(), self.api_key.encode())

    def _throttle(self) -> float | None:
        """Seconds until a slot frees in the 60 s rolling window, or None if there is one."""
        now = self._clock()
        with self.lock:
            while self._recent and now - self._recent[0] >= wire.RATE_LIMIT_WINDOW_SECONDS:
                self._recent.popleft()
            if len(self._recent) >= wire.RATE_LIMIT_REQUESTS:
                return wire.RATE_LIMIT_WINDOW_SECONDS - (now - self._recent[0])
            self._recent.append(now)
        return None

    # ---- routes ----

    def _routes(self) -> None:
        rules: list[tuple[str, str, View, tuple[str, ...]]] = [
            ("pages.list", "/v1/pages", self._pages, ("GET",)),
            ("pages.show", "/v1/pages/<page_id>", self._page, ("GET",)),
            ("components.list", "/v1/pages/<page_id>/components", self._components, ("GET",)),
            (
                "components.show",
                "/v1/pages/<page_id>/components/<component_id>",
                self._component,
                ("GET", "PATCH", "PUT"),
            ),
            ("incidents.list", "/v1/pages/<page_id>/incidents", self._incidents, ("GET", "POST")),
            (
                "incidents.unresolved",
                "/v1/pages/<page_id>/incidents/unresolved",
                self._unresolved,
                ("GET",),
            ),
            (
                "incidents.show",
                "/v1/pages/<page_id>/incidents/<incident_id>",
                self._incident,
                ("GET", "PATCH", "PUT"),
            ),
        ]
        for endpoint, rule, view, methods in rules:
            guarded = self._guard(endpoint, view)
            # The docs write collection and element URLs with a .json suffix; both forms work.
            for suffix in ("", ".json"):
                self.app.add_url_rule(
                    rule + suffix, endpoint + suffix, guarded, methods=list(methods)
                )
        self.app.add_url_rule("/", "index", self._index)

    def _guard(self, endpoint: str, view: View) -> View:
        def guarded(**kwargs: str) -> Response:
            if (stop := self._enter(endpoint)) is not None:
                return stop
            try:
                with self.state.lock:
                    return view(**kwargs)
            except Invalid as problem:
                return _error(problem.status, problem.message)

        return guarded

    def _pages(self) -> Response:
        return jsonify([wire.page_json(p) for p in self.state.pages.values()])

    def _page(self, page_id: str) -> Response:
        return jsonify(wire.page_json(self.state.page(page_id)))

    def _components(self, page_id: str) -> Response:
        rows = self.state.component_list(page_id)
        page, per_page = _int_arg("page", 1), _int_arg("per_page", wire.MAX_PER_PAGE)
        return jsonify([wire.component_json(c) for c in page_slice(rows, page, per_page)])

    def _component(self, page_id: str, component_id: str) -> Response:
        component = self.state.component(page_id, component_id)
        if request.method != "GET":
            fields = _body("component")
            if "status" in fields:
                component = self.state.set_component_status(page_id, component_id, fields["status"])
        return jsonify(wire.component_json(component))

    def _incidents(self, page_id: str) -> Response:
        if request.method == "POST":
            incident = self.state.create_incident(page_id, _body("incident"))
            return self._incident_response(incident, 201)
        rows = self.state.incident_list(page_id)
        query = request.args.get("q", "").casefold()
        if query:
            rows = [i for i in rows if query in json.dumps(_searchable(i)).casefold()]
        page, limit = _int_arg("page", 1), _int_arg("limit", wire.MAX_PER_PAGE)
        return jsonify([self._incident_body(i) for i in page_slice(rows, page, limit)])

    def _unresolved(self, page_id: str) -> Response:
        rows = self.state.incident_list(page_id, unresolved_only=True)
        page, per_page = _int_arg("page", 1), _int_arg("per_page", wire.MAX_PER_PAGE)
        return jsonify([self._incident_body(i) for i in page_slice(rows, page, per_page)])

    def _incident(self, page_id: str, incident_id: str) -> Response:
        if request.method == "GET":
            return self._incident_response(self.state.incident(page_id, incident_id), 200)
        incident = self.state.update_incident(page_id, incident_id, _body("incident"))
        return self._incident_response(incident, 200)

    def _incident_body(self, incident: dict[str, Any]) -> wire.JSON:
        return wire.incident_json(incident, self.state.incident_components(incident))

    def _incident_response(self, incident: dict[str, Any], status: int) -> Response:
        response = jsonify(self._incident_body(incident))
        response.status_code = status
        return response

    def _index(self) -> str:
        with self.state.lock:
            page = self.state.page(self.page_id)
            components = self.state.component_list(self.page_id)
            incidents = self.state.incident_list(self.page_id)
            return status_page(page, components, incidents)


def _error(status: int, message: str) -> Response:
    response = jsonify(wire.error_body(message))
    response.status_code = status
    return response


def _int_arg(name: str, default: int) -> int:
    try:
        return int(request.args.get(name, default))
    except ValueError:
        raise Invalid(400, f"{name} must be an integer") from None


def _body(root: str) -> dict[str, Any]:
    """The ``root`` object of a JSON or form-encoded body, as the docs allow either."""
    if request.is_json:
        try:
            data = request.get_json()
        except HTTPException:
            raise Invalid(400, "The request body is not valid JSON") from None
    elif request.mimetype == "application/x-www-form-urlencoded":
        data = {root: _form_fields(root)}
    else:
        raise Invalid(415, "Content-Type must be application/json or form-urlencoded")
    fields = data.get(root) if isinstance(data, dict) else None
    if not isinstance(fields, dict) or not fields:
        raise Invalid(400, f"param is missing or the value is empty: {root}")
    return fields


def _form_fields(root: str) -> dict[str, Any]:
    """Rails-style keys from the docs: incident[name], incident[component_ids][], ...[id]=v."""
    fields: dict[str, Any] = {}
    for key in request.form:
        if not key.startswith(f"{root}[") or not key.endswith("]"):
            continue
        parts = key[len(root) + 1 : -1].split("][")
        if parts[-1] == "":
            fields[parts[0]] = request.form.getlist(key)
        elif len(parts) == 2:
            fields.setdefault(parts[0], {})[parts[1]] = request.form[key]
        elif parts[0] == "deliver_notifications":
            fields[parts[0]] = request.form[key] in ("t", "true", "1")
        else:
            fields[parts[0]] = request.form[key]
    return fields


def _searchable(incident: dict[str, Any]) -> list[Any]:
    """The fields the q parameter searches: name, status, postmortem and update bodies."""
    return [incident["name"], incident["status"], [u["body"] for u in incident["updates"]]]
