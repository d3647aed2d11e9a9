"""Site templates and assets, shipped inside the package as compiler._site."""
