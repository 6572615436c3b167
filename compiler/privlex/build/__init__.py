"""privlex as a build step: `config` (`[tool.privlex]`), `outputs` (writing generated packages)
and `hatch_hook` (the hatchling build hook)."""
