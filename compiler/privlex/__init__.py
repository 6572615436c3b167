"""privlex: a compiler for privacy law."""
