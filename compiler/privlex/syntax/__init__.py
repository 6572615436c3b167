"""From rule file text to the syntax tree: `grammar` (the lark grammar `privlex.lark` and its parser),
`parse` (going on after each error), `error_messages` and `mistakes` (syntax errors in the author's
words), `nodes` and `build_ast` (pydantic nodes with spans, built by `build_vocabulary`,
`build_rulesets`, `build_tests` and `build_conditions`)."""
