"""Fakes of the models and of the user's backend, each named for what it fakes; tests and benchmarks share them."""
