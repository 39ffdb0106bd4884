"""Alembic environment: runs on the connection Parley hands over at start-up.

For ``alembic revision --autogenerate`` during development, set ``PARLEY_DATABASE_URL``
to a sync URL (e.g. ``sqlite:///data/parley.db``) and run alembic with ``alembic.ini``.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection, create_engine

from parley.storage.tables import Base


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_on(connection)
else:
    url = os.environ.get("PARLEY_DATABASE_URL", "sqlite:///data/parley.db")
    with create_engine(url).connect() as standalone:
        run_on(standalone)
        standalone.commit()
