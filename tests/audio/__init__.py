"""Audio formats and call recordings."""
