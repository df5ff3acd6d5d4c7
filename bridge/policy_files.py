"""Reading the policy and its comment templates from disk: the I/O the pure ``policies``
package leaves to its callers."""

from __future__ import annotations

from pathlib import Path

from policies import Policy, PolicyError, PolicyIssue, parse_policy
from policies.templates import TEMPLATE_NAMES, TEMPLATE_SUFFIX, TemplateRenderer

POLICIES = Path(__file__).parent.parent / "policies"
DEFAULT_POLICY_PATH = POLICIES / "default.yaml"
SHIPPED_TEMPLATES = POLICIES / "templates"


def load_policy(path: str | Path | None = None) -> Policy:
    """Load the policy file at ``path`` (default: the packaged ``default.yaml``)."""
    source = Path(path) if path is not None else DEFAULT_POLICY_PATH
    name = str(path) if path is not None else "default.yaml"
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError([PolicyIssue(name, 1, 1, f"cannot read: {exc.strerror}")]) from exc
    return parse_policy(text, name)


def template_sources(override_dir: str | Path | None = None) -> dict[str, str]:
    """The shipped templates' texts, each replaced by a file of the same name in
    ``override_dir`` if there is one."""
    folders = [SHIPPED_TEMPLATES] + ([Path(override_dir)] if override_dir else [])
    sources: dict[str, str] = {}
    for folder in folders:
        for name in TEMPLATE_NAMES:
            path = folder / (name + TEMPLATE_SUFFIX)
            if path.is_file():
                sources[path.name] = path.read_text(encoding="utf-8")
    return sources


def load_templates(override_dir: str | Path | None = None) -> TemplateRenderer:
    return TemplateRenderer(template_sources(override_dir))
