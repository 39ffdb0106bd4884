"""Agent configs: platform defaults, partial updates and validation."""
