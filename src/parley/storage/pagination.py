"""Keyset pagination shared by every listing: opaque cursors tied to their sort order."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from sqlalchemy import ColumnElement, and_, or_


class InvalidCursorError(ValueError):
    """The cursor was not one this server handed out (or was made for another sort)."""


def encode_cursor(sort_by: str, key: Any, row_id: str) -> str:
    raw = json.dumps([sort_by, key, row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort_by: str) -> tuple[Any, str]:
    """The (sort key, id) of the last row of the previous page."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        field, key, row_id = json.loads(raw)
    except (binascii.Error, ValueError, TypeError) as error:
        raise InvalidCursorError("cursor is malformed; pass next_cursor unchanged") from error
    if field != sort_by or not isinstance(row_id, str):
        raise InvalidCursorError("cursor belongs to a different sort order")
    return key, row_id


def after(
    column: Any, id_column: Any, key: Any, row_id: str, descending: bool
) -> ColumnElement[bool]:
    """Rows strictly after ``(key, row_id)`` in the page order."""
    if descending:
        return or_(column < key, and_(column == key, id_column < row_id))
    return or_(column > key, and_(column == key, id_column > row_id))


def order(column: Any, id_column: Any, descending: bool) -> tuple[Any, Any]:
    if descending:
        return column.desc(), id_column.desc()
    return column.asc(), id_column.asc()
