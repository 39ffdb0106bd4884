"""Fakes of the models and of the user's backend, named for what they fake.

Tests and benchmarks share them."""
