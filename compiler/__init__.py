"""compile-glossary: a knowledge-graph glossary compiler."""
__version__ = "0.1.0"
