"""From the checked program (`privlex.ir`) to the Python files of a generated package:
`package` lays out the files, `ruleset`, `fast_path` and `vocabulary` decide what each module
holds, `pyexpr` writes the Python expressions and literals, `identifiers` guards the names;
the jinja2 templates in `templates/` hold layout only."""
