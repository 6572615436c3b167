"""The checking passes, each a function from one model to the next, run in the order of
`privlex.pipeline.PASSES`: `vocabulary`, `rulesets` (with `typecheck` and `parameters`),
`checks` (with `constraints`) and `testcases`."""
