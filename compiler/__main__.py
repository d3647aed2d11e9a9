"""``python -m compiler`` is ``compile-glossary``."""
from .cli import main

raise SystemExit(main())
