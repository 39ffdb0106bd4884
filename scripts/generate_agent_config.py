"""Generate ``parley/schemas/agent_config.py`` from the spec's Create-agent OpenAPI schema.

The spec (``shared/spec/agents-platform-api.md``) embeds the platform's OpenAPI document in a
Fern dialect: enums are written as ``- value: x`` and literals as ``- type: stringLiteral``.
This script rewrites that dialect to plain OpenAPI 3.1, marks unions of objects that carry a
single-valued ``type`` as discriminated (so validation errors name the right member), and runs
datamodel-code-generator on the result.  The generated module is committed; rerun this script
when the spec changes::

    python scripts/generate_agent_config.py ../shared/spec/agents-platform-api.md
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

OUTPUT = Path(__file__).resolve().parents[1] / "src" / "parley" / "schemas" / "agent_config.py"
SECTION = "# Create agent"
HEADER = (
    '"""Agent config wire types, generated from the spec by '
    'scripts/generate_agent_config.py; do not edit."""'
)


def extract_openapi(markdown: str) -> dict[str, Any]:
    """Return the YAML block that follows the ``# Create agent`` heading."""
    section = markdown[markdown.index(SECTION) :]
    start = section.index("```yaml") + len("```yaml")
    end = section.index("```", start)
    document: dict[str, Any] = yaml.safe_load(section[start:end])
    return document


def normalise(node: Any) -> Any:
    """Rewrite Fern's enum dialect into plain JSON Schema, recursively."""
    if isinstance(node, list):
        return [normalise(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: normalise(value) for key, value in node.items()}
    enum = result.get("enum")
    if isinstance(enum, list) and enum and all(isinstance(item, dict) for item in enum):
        result["enum"] = [item["value"] for item in enum]
    return result


def literal_type(schema: dict[str, Any]) -> str | None:
    """The single value of a schema's ``type`` property, if it has exactly one."""
    enum = schema.get("properties", {}).get("type", {}).get("enum")
    if isinstance(enum, list) and len(enum) == 1:
        return str(enum[0])
    return None


def tag_mapping(members: list[Any], schemas: dict[str, Any]) -> dict[str, str]:
    """``{type value: $ref}`` when every member is a $ref tagged by a distinct ``type``."""
    mapping: dict[str, str] = {}
    for member in members:
        if not isinstance(member, dict) or "$ref" not in member:
            return {}
        tag = literal_type(schemas[member["$ref"].rsplit("/", 1)[-1]])
        if tag is None or tag in mapping:
            return {}
        mapping[tag] = member["$ref"]
    return mapping


def add_discriminators(schemas: dict[str, Any]) -> None:
    """Mark ``oneOf`` unions whose members are all tagged by ``type`` as discriminated."""

    def visit(node: Any) -> None:
        children = node if isinstance(node, list) else list(node.values())
        mapping = tag_mapping(node.get("oneOf") or [], schemas) if isinstance(node, dict) else {}
        if mapping:
            node["discriminator"] = {"propertyName": "type", "mapping": mapping}
            for ref in mapping.values():
                required = schemas[ref.rsplit("/", 1)[-1]].setdefault("required", [])
                if "type" not in required:
                    required.append("type")
        for child in children:
            if isinstance(child, dict | list):
                visit(child)

    visit(schemas)


def accept_sdk_spellings(schemas: dict[str, Any]) -> None:
    """Retype the few fields whose spec type the official SDKs contradict.

    ``optimize_streaming_latency`` is listed as the strings "0"-"4", but both SDKs type it as a
    number and the JS SDK rejects a string in responses.  It becomes an integer 0-4; pydantic's
    lax mode still accepts the spec's strings on input and stores them as numbers.
    """
    schemas["TTSOptimizeStreamingLatency"] = {"type": "integer", "minimum": 0, "maximum": 4}


def add_newer_platform_fields(schemas: dict[str, Any]) -> None:
    """Add the few fields the platform has gained since the spec was written.

    ``auth.require_origin_header`` (refuse connections that send no ``Origin`` when an
    allowlist is set) is in the platform's current ``AuthSettings``; without it here, pydantic
    would drop it from every stored agent and Parley could not honour it.
    """
    schemas["AuthSettings"]["properties"]["require_origin_header"] = {"type": "boolean"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", type=Path, help="path to agents-platform-api.md")
    args = parser.parse_args()
    document = normalise(extract_openapi(args.spec.read_text()))
    add_discriminators(document["components"]["schemas"])
    accept_sdk_spellings(document["components"]["schemas"])
    add_newer_platform_fields(document["components"]["schemas"])
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "openapi.json"
        source.write_text(json.dumps(document))
        command = [
            sys.executable,
            "-m",
            "datamodel_code_generator",
            "--input",
            str(source),
            "--input-file-type",
            "openapi",
            "--output",
            str(OUTPUT),
            "--output-model-type",
            "pydantic_v2.BaseModel",
            "--target-python-version",
            "3.11",
            "--use-annotated",
            "--use-union-operator",
            "--use-standard-collections",
            "--field-constraints",
            "--use-double-quotes",
            "--enum-field-as-literal",
            "all",
            "--use-one-literal-as-default",
            "--disable-timestamp",
            "--use-schema-description",
            "--use-type-alias",
            "--strict-nullable",
            "--formatters",
            "ruff-format",
            "--custom-file-header",
            HEADER,
        ]
        subprocess.run(command, check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
