"""authoring: see docs/architecture.md."""
