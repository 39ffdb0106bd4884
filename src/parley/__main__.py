"""Allow ``python -m parley``."""

from parley.cli import app

app()
