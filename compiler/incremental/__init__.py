"""incremental: see docs/architecture.md."""
