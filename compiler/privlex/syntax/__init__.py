"""From rule file text to the syntax tree: `source` (files and spans), `parse` (the lark
grammar `privlex.lark`, friendly syntax errors), `nodes` and `build_ast` (pydantic nodes with spans)."""
