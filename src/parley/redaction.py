"""Keep secrets out of the logs.

uvicorn logs every request line with its query string, and a signed conversation URL carries
its token there (``conversation_signature=…``, or ``token=…``); anyone who can read the log
could start conversations with it. :class:`RedactSecrets` blanks those values in every record
of the loggers it is installed on.
"""

from __future__ import annotations

import logging
import re
from typing import Any

SECRET_PARAMETERS = ("conversation_signature", "token", "xi-api-key", "xi_api_key", "api_key")
_SECRET_VALUE = re.compile(
    r"(?i)\b(" + "|".join(re.escape(name) for name in SECRET_PARAMETERS) + r")=[^&\s\"']+"
)
REDACTED = "[redacted]"

# uvicorn's loggers: the access log, and the error log that prints accepted WebSockets
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


def redact(text: str) -> str:
    """``text`` with the value of every secret query parameter replaced."""
    return _SECRET_VALUE.sub(rf"\1={REDACTED}", text)


def _redact_arg(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class RedactSecrets(logging.Filter):
    """A logging filter that redacts secret query parameters; it never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_arg(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redact_arg(value) for key, value in record.args.items()}
        return True


def install(names: tuple[str, ...] = UVICORN_LOGGERS) -> None:
    """Put one :class:`RedactSecrets` on each named logger (idempotent)."""
    for name in names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
