"""`privlex lsp`: a language server for rule files (diagnostics, hover, definitions, completion, outline, format).

The language work is done by plain functions (`analysis`, `index`, `describe`,
`complete`, `outline`) that know nothing of the protocol; `server` wires them
to pygls. pygls is an optional dependency: `pip install privlex[lsp]`.
"""
