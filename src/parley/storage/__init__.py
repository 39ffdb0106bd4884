"""Durable storage: SQLAlchemy tables, Alembic migrations and one store per aggregate."""
