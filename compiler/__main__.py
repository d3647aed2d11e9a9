"""``python -m compiler`` is ``compile-glossary``."""
from compiler.cli.main import main

raise SystemExit(main())
