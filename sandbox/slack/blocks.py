"""Block Kit checks as Slack applies them to chat.postMessage and chat.update (the sandbox
answers ``invalid_blocks`` when one fails)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.slack.wire import (
    ACTION_ID_MAX,
    ACTIONS_ELEMENTS_MAX,
    BLOCK_ID_MAX,
    BUTTON_STYLES,
    BUTTON_TEXT_MAX,
    BUTTON_URL_MAX,
    BUTTON_VALUE_MAX,
    CONTEXT_ELEMENTS_MAX,
    HEADER_TEXT_MAX,
    MAX_BLOCKS,
    SECTION_FIELD_MAX,
    SECTION_FIELDS_MAX,
    SECTION_TEXT_MAX,
    TEXT_OBJECT_MAX,
)

# The block types this stand-in knows; Slack has more (see FACTS.md, Known differences).
_BLOCK_TYPES = frozenset({"section", "header", "context", "actions", "divider", "image"})


def block_problems(blocks: Any) -> list[str]:
    """Every Block Kit limit ``blocks`` breaks (empty when Slack would accept them)."""
    if not isinstance(blocks, list):
        return ["blocks must be an array"]
    problems = [f"more than {MAX_BLOCKS} blocks"] if len(blocks) > MAX_BLOCKS else []
    for i, block in enumerate(blocks):
        problems += [f"blocks[{i}]: {p}" for p in _one_block(block)]
    return problems


def _one_block(block: Any) -> list[str]:
    if not isinstance(block, dict) or block.get("type") not in _BLOCK_TYPES:
        return ["unknown block type"]
    out = _too_long(block.get("block_id"), BLOCK_ID_MAX, "block_id")
    kind = block["type"]
    if kind == "header":
        text = block.get("text") or {}
        if text.get("type") != "plain_text":
            out.append("header text must be plain_text")
        out += _too_long(text.get("text"), HEADER_TEXT_MAX, "header text", required=True)
    elif kind == "section":
        fields = block.get("fields") or []
        if "text" not in block and not fields:
            out.append("section needs text or fields")
        out += _too_long((block.get("text") or {}).get("text"), SECTION_TEXT_MAX, "section text")
        if len(fields) > SECTION_FIELDS_MAX:
            out.append(f"more than {SECTION_FIELDS_MAX} fields")
        for field in fields:
            out += _too_long(field.get("text"), SECTION_FIELD_MAX, "field", required=True)
    elif kind == "context":
        elements = block.get("elements") or []
        if not elements or len(elements) > CONTEXT_ELEMENTS_MAX:
            out.append(f"context needs 1..{CONTEXT_ELEMENTS_MAX} elements")
        for element in elements:
            out += _too_long(element.get("text"), TEXT_OBJECT_MAX, "context text")
    elif kind == "actions":
        elements = block.get("elements") or []
        if not elements or len(elements) > ACTIONS_ELEMENTS_MAX:
            out.append(f"actions needs 1..{ACTIONS_ELEMENTS_MAX} elements")
        for element in elements:
            out += _button_problems(element)
    return out


def _button_problems(element: Mapping[str, Any]) -> list[str]:
    if element.get("type") != "button":
        return []
    out = _too_long((element.get("text") or {}).get("text"), BUTTON_TEXT_MAX, "button text", True)
    out += _too_long(element.get("action_id"), ACTION_ID_MAX, "action_id")
    out += _too_long(element.get("value"), BUTTON_VALUE_MAX, "button value")
    out += _too_long(element.get("url"), BUTTON_URL_MAX, "button url")
    if element.get("style") not in (None, *BUTTON_STYLES):
        out.append("button style must be primary or danger")
    return out


def _too_long(value: Any, limit: int, what: str, required: bool = False) -> list[str]:
    if value is None:
        return [f"{what} is required"] if required else []
    if not isinstance(value, str) or (required and not value):
        return [f"{what} must be a non-empty string"]
    # Slack does not say what a "character" is; the stand-in counts UTF-16 code units (an emoji
    # counts 2), the stricter reading, so a connector that fits here fits Slack either way.
    length = len(value.encode("utf-16-le")) // 2
    return [f"{what} longer than {limit}"] if length > limit else []
