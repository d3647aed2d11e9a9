"""The term JSON Schema, shipped inside the package as compiler._schema."""
