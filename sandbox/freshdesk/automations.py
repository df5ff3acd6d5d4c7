"""The Freshdesk stand-in's automations API: ``/api/v2/automations/{automation_type_id}/rules``
(D-automations: the API v2 reference, "Automations"). Required: ``name``, ``conditions``,
``actions``; ``performer`` and ``events`` belong to ticket-update rules (type 4) only. What
Freshdesk checks inside conditions and actions beyond that is not in the sources: the stand-in
checks that a ``trigger_webhook`` action has a ``url`` and a ``request_type``, and nothing more.
"""

from __future__ import annotations

import itertools
from typing import Any

from flask import Flask, jsonify, request

from sandbox.freshdesk.wire import field_error, validation_failed

AUTOMATION_TYPES = (1, 3, 4)  # ticket creation, time triggers, ticket updates
TICKET_UPDATES = 4


def rule_problems(kind: int, rule: dict[str, Any]) -> list[dict[str, str]]:
    problems = [
        field_error(name, "It should be present", "missing_field")
        for name in ("name", "conditions", "actions")
        if not rule.get(name)
    ]
    if kind != TICKET_UPDATES:
        problems += [
            field_error(name, "Unexpected/invalid field in request", "invalid_field")
            for name in ("performer", "events")
            if name in rule
        ]
    for action in rule.get("actions") or []:
        if action.get("field_name") == "trigger_webhook" and not (
            action.get("url") and action.get("request_type")
        ):
            problems.append(
                field_error(
                    "actions", "trigger_webhook needs url and request_type", "invalid_value"
                )
            )
    return problems


def register_automations(app: Flask, sb: Any) -> None:
    ids = itertools.count(9000)

    @app.route("/api/v2/automations/<int:kind>/rules", methods=["GET", "POST"])
    def rules(kind: int) -> Any:
        if (stop := sb._enter(f"automations.{request.method.lower()}")) is not None:
            return stop
        if kind not in AUTOMATION_TYPES:
            return jsonify({"code": "invalid_value", "message": "automation type"}), 400
        if request.method == "GET":
            with sb.lock:
                rows = [r for r in sb.rules.values() if r["automation_type_id"] == kind]
            return sb._page(rows, f"/api/v2/automations/{kind}/rules", {})
        rule = dict(request.get_json(silent=True) or {})
        if problems := rule_problems(kind, rule):
            return jsonify(validation_failed(problems)), 400
        with sb.lock:
            rule.update(id=next(ids), automation_type_id=kind, active=rule.get("active", True))
            sb.rules[rule["id"]] = rule
        return jsonify(rule), 201

    @app.put("/api/v2/automations/<int:kind>/rules/<int:rule_id>")
    def update_rule(kind: int, rule_id: int) -> Any:
        if (stop := sb._enter("automations.put")) is not None:
            return stop
        with sb.lock:
            rule = sb.rules.get(rule_id)
            if rule is None or rule["automation_type_id"] != kind:
                return jsonify({"code": "not_found", "message": "rule not found"}), 404
            changes = dict(request.get_json(silent=True) or {})
            if problems := rule_problems(kind, {**rule, **changes}):
                return jsonify(validation_failed(problems)), 400
            rule.update(changes)
            return jsonify(rule)
