"""HTTP edges: request parsing, authentication and error translation. No business logic."""
