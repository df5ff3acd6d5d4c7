"""Text templates for ticket comments: hand-off note, customer acknowledgement, status reminder,
RCA request, follow-up of a solved ticket.

Rendered with Jinja2's sandbox, because operators may override the shipped templates with their
own (``BRIDGE_TEMPLATES``: a file there wins by name; the bridge reads the files and hands the
texts in). A value the caller did not provide renders as a visible ``[missing: customer.name]``
rather than failing: a hand-off note with a gap beats no note. A value that is not text never
shows as Python would print it: a method (``{{ ticket.items }}``, ``{{ name.upper }}``) or a
whole mapping renders as ``[missing: …]`` too, a list as its items joined by ", ". Pure: no
clock (pass ``now`` in the context when a template needs it), no I/O. Output is
Markdown-flavoured plain text; a connector that posts HTML must escape it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from jinja2 import ChainableUndefined, DictLoader
from jinja2.sandbox import SandboxedEnvironment

from policies.schema import TEMPLATE_NAMES as TEMPLATE_NAMES

RCA_MARKER = "[RCA]"
TEMPLATE_SUFFIX = ".md.j2"


class _Node(dict[str, Any]):
    """A context mapping that knows its dotted path, so a missing key can be named in full."""

    __slots__ = ("_path",)

    def __init__(self, data: Mapping[str, Any], path: str) -> None:
        super().__init__({key: _wrap(value, f"{path}.{key}") for key, value in data.items()})
        self._path = path


def _wrap(value: Any, path: str) -> Any:
    if isinstance(value, Mapping):
        return _Node(value, path)
    if isinstance(value, list | tuple):
        return [_wrap(item, f"{path}[{i}]") for i, item in enumerate(value)]
    return value


class MissingValue(ChainableUndefined):
    """Renders as ``[missing: a.b.c]``; attribute access, calls and arithmetic stay missing."""

    __slots__ = ()

    def _dotted(self) -> str:
        parent = self._undefined_obj
        name = self._undefined_name
        if isinstance(parent, _Node):
            return f"{parent._path}.{name}"
        return str(name) if name is not None else "value"

    def __str__(self) -> str:
        return f"[missing: {self._dotted()}]"

    def __getattr__(self, name: str) -> MissingValue:
        if name[:2] == "__" and name[-2:] == "__":
            raise AttributeError(name)
        return MissingValue(name=f"{self._dotted()}.{name}")

    def __getitem__(self, key: Any) -> MissingValue:  # type: ignore[override]
        return MissingValue(name=f"{self._dotted()}.{key}")

    def _stay_missing(self, *_: Any, **__: Any) -> MissingValue:
        return self

    __call__ = __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _stay_missing  # type: ignore[assignment]
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = _stay_missing  # type: ignore[assignment]
    __lt__ = __le__ = __gt__ = __ge__ = __neg__ = __pos__ = _stay_missing  # type: ignore[assignment]


def _shown(value: Any) -> Any:
    """What ``{{ … }}`` prints (Jinja's ``finalize``): never a Python repr."""
    if isinstance(value, _Node):
        return f"[missing: {value._path}]"
    if isinstance(value, list | tuple):
        return ", ".join(str(_shown(item)) for item in value)
    if isinstance(value, Mapping | set | frozenset) or (
        callable(value) and not isinstance(value, MissingValue)
    ):
        return f"[missing: {getattr(value, '__name__', type(value).__name__)}]"
    return value


class _Environment(SandboxedEnvironment):
    """The sandbox, where ``a.b`` on a context mapping reads only its keys: never one of the
    dict's own methods (``ticket.items`` would otherwise be a bound method)."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, _Node):
            return obj[attribute] if attribute in obj else self.undefined(obj=obj, name=attribute)
        if isinstance(obj, MissingValue):  # never one of the placeholder's own attributes
            return MissingValue(name=f"{obj._dotted()}.{attribute}")
        return super().getattr(obj, attribute)


def format_when(value: Any) -> str:
    """``2026-03-02 14:00 UTC`` for a datetime; anything else (a placeholder too) as text."""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M} {value.tzname() or 'UTC'}"
    return str(value)


class TemplateRenderer:
    """Renders the named comment templates from their texts, keyed by file name."""

    def __init__(self, sources: Mapping[str, str]) -> None:
        missing = [n for n in TEMPLATE_NAMES if n + TEMPLATE_SUFFIX not in sources]
        if missing:
            raise ValueError(f"templates missing: {', '.join(missing)}")
        self._env = _Environment(
            loader=DictLoader(dict(sources)),
            undefined=MissingValue,
            finalize=_shown,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._env.filters["when"] = format_when
        self._env.globals["RCA_MARKER"] = RCA_MARKER
        # Compile every template now so a broken override fails at startup, not mid-escalation.
        for name in TEMPLATE_NAMES:
            self._env.get_template(name + TEMPLATE_SUFFIX)

    def render(self, name: str, context: Mapping[str, Any]) -> str:
        if name not in TEMPLATE_NAMES:
            raise ValueError(f"unknown template {name!r}; known: {', '.join(TEMPLATE_NAMES)}")
        template = self._env.get_template(name + TEMPLATE_SUFFIX)
        text = template.render({key: _wrap(value, key) for key, value in context.items()})
        text = text.strip() + "\n"
        # Later code finds RCA comments by this first line; an override must not lose it.
        if name == "rca_request" and not text.startswith(RCA_MARKER):
            text = f"{RCA_MARKER}\n{text}"
        return text
