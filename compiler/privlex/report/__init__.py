"""Reports generated from a checked program: what the rules decide, for readers of the law."""
