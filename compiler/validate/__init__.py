"""validate: see docs/architecture.md."""
