"""Write ``docs/config-liveness.md`` from the one table in ``parley.agents.liveness``.

Rerun after changing the table (``tests/agents/test_config_liveness.py`` fails until you do)::

    .venv/bin/python scripts/generate_config_liveness.py
"""

from __future__ import annotations

from pathlib import Path

from parley.agents.liveness import markdown_table

OUTPUT = Path(__file__).resolve().parents[1] / "docs" / "config-liveness.md"


def main() -> None:
    OUTPUT.write_text(markdown_table(), encoding="utf-8")
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
