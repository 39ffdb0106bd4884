"""Agent configs: validation, defaults, what is live and what is dropped."""
