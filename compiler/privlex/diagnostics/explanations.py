# ruff: noqa: E501  (a table of texts, one line each as in docs/diagnostics.md)
"""What each diagnostic code means and what to do about it: the table of docs/diagnostics.md.

SARIF carries these as each rule's full description and help; a test keeps them and the docs equal.
"""

from __future__ import annotations

# code: (what it means, what to do), in Markdown as docs/diagnostics.md shows them.
EXPLANATIONS: dict[str, tuple[str, str]] = {
    "E001": (
        "a rule file cannot be read (missing, unreadable, not UTF-8), or no `.rules` file was found",
        "check the path; save the file as UTF-8",
    ),
    "E002": (
        "a bad `[tool.privlex]` table in pyproject.toml: an unknown key, or a value of the wrong kind (the message names the key)",
        "fix the key; the help line suggests the closest known one",
    ),
    "E101": (
        "syntax error: the line does not follow the language's grammar; a condition wrapped onto the next line without parentheses; a clause where it cannot stand (the help says where it goes)",
        "the help line names what was expected there, or the usual mistake (`if` for `when`, `&&` for `and`, a missing `:` or title, a missing `(`)",
    ),
    "E102": (
        "bad indentation: a line is indented deeper than its block allows (an `obligation` under a one-line `otherwise`), or matches no enclosing block",
        "indent the lines of a block by the same amount, deeper than the line ending in `:` that opens it",
    ),
    "E103": (
        "nested too deeply: a condition with more than 32 levels of `not`, `and` and `or` inside each other, exceptions more than 32 levels deep, or region groups or keys nested more than 32 levels deep (privlex's limits, see docs/security.md)",
        "split the condition over several rules or exceptions; flatten the exceptions or the groups",
    ),
    "E104": (
        "a whole number with more than 18 digits (privlex's limit: numbers fit a 64-bit integer column)",
        "check what was meant: ages, years and thresholds are small numbers",
    ),
    "E105": (
        "a control character (an escape, a backspace, a null) or an invisible bidirectional control (U+202E and its kin) anywhere in a rule file, titles and comments included: the first can rewrite what a terminal shows, the second makes an editor or a review show a line other than the one privlex reads",
        "delete it; to write right-to-left text, type it in the order it is read",
    ),
    "E201": (
        "unknown name: a data key, purpose, fact, definition, region, basis, value, parameter or node that is not declared",
        "fix the spelling (the help line suggests a declared name only when yours looks like a slip of the keyboard) or declare it (the help line says how)",
    ),
    "E202": (
        "duplicate declaration: two keys, facts, regions, rulesets, rules, exceptions of one parent, parameters, tests, definitions or obligations (with different texts) share a name; a definition named like a fact, or a ruleset's definition named like one for the whole unit; a name the shipped library already declares (the message names both places)",
        "rename one of them",
    ),
    "E203": (
        "a key or subdivision is declared but its parent is not (`content.chat` without `content`; `US-CA` without `US`)",
        "declare the parent first",
    ),
    "E204": (
        "the `in` links of keys, the members of region groups, or the `implies` of facts form a cycle; or definitions refer to each other in a circle",
        "remove one link: nothing can lie inside itself, no fact can imply itself, and a definition cannot stand for a condition that contains it",
    ),
    "E205": (
        "a name that is not allowed where it stands: ids with dots, reserved words (`class`, `default`…), malformed region codes, a fact with three parts, an exclusion with an effect line or exceptions, a `when` line on a rule",
        "follow the message; ids are single lowercase names",
    ),
    "E206": (
        "a clause that may appear once appears twice (two effect lines, two `from` dates, two `covers` lines…)",
        "keep one",
    ),
    "E207": (
        "a required clause is missing: a ruleset without `covers` or `otherwise`, a rule without `permit`/`deny`, a test without `expect`, a definition without its condition",
        "add it",
    ),
    "E301": (
        "a value of the wrong type: comparing a number with a name, a true-or-false fact with a number, a parameter of another type",
        "compare a fact with a value of its own kind (the help line shows one)",
    ),
    "E302": (
        "an operator that does not fit the fact: `<` on a region, `is unknown` on a fact that always has a value, `is` with a group of regions, `unknown` inside `{ }` (`legal_basis in {consent, unknown}`), a definition compared with a value",
        "use `in` for regions and keys, `is` for single values, `FACT is unknown` for a fact not given, a definition by its name alone",
    ),
    "E303": ("not a date in the calendar (`2018-02-30`)", "write an existing date as YYYY-MM-DD"),
    "E304": ("a number outside the fact's declared range, or an empty range", "use a number inside the range"),
    "E401": (
        "a rule, exception, exclusion or default cites no article",
        'add `cites "…"`: every decision must name the law behind it',
    ),
    "E402": (
        "a node can never match: its own conditions contradict each other, it contradicts its parent's conditions (`age < 13` under `age >= 16`), or its scope lies outside its parent's",
        "an exception is considered only when its parent matches; narrow it within the parent",
    ),
    "E403": (
        "an exception covers data or purposes its parent does not",
        "an exception may only narrow its parent's scope",
    ),
    "E404": (
        "an obligation on a node that denies, or on an `otherwise deny` default",
        "move the obligation to the node that permits: a denial carries no duties",
    ),
    "E405": (
        "a region parameter has no value for some region the ruleset covers, on some day it is in force",
        "give a value for a region containing them, or a dated value for the gap",
    ),
    "E406": (
        "a region parameter is ambiguous: two values for one region overlap in time, or two unrelated groups both give a value for the same place",
        "end the earlier value with `until`, or give the place its own value",
    ),
    "E407": ("dates out of order: a `from` after the `until`", "swap or correct the dates"),
    "E408": (
        "an abstract key (a grouping such as `sensitive`) used where a use's own key is meant (`data is sensitive`, or in a test)",
        "use `data in sensitive` in conditions, and a concrete key in tests",
    ),
    "W401": (
        "an exception has the same effect as its parent, so it changes nothing",
        "an exception should reverse its parent: `deny` under a `permit`, or the other way round",
    ),
    "W402": ("a node is dated outside its ruleset's dates and never applies", "correct the dates"),
    "W403": (
        "a definition (`define`) that no rule, exception, exclusion or `applies when` uses, directly or through another definition",
        "use it by its name in a condition, or remove it",
    ),
    "W404": (
        "a rule matches every use its ruleset applies to (no `when`, no `data` or `purpose` line, no dates), so the ruleset's default never decides",
        "write a duty that holds for every use as an `obligation` directly in the ruleset; otherwise give the rule a scope or a condition",
    ),
    "E501": (
        "a test expects a decision by a node, or an obligation, that does not exist",
        "name the node as the decision lists it (`consent.bundled`, `default`; in a top-level test `gdpr.consent.bundled`)",
    ),
    "E502": (
        "a test's facts are not a valid use (a bare non-boolean fact, a fact given twice, a group region); reported by `privlex test` for invalid inputs too",
        "give each fact once, with a value of its type",
    ),
    "W601": (
        "(`privlex verify`) a rule, exception or exclusion can never match: no use at all meets its scope, dates and condition together with those of the nodes enclosing it, or an exclusion always holds where it would",
        "correct the condition; an exception is considered only when its parent matches",
    ),
    "W602": (
        "(`privlex verify`) a node can never decide itself: whenever it matches, one of its exceptions matches too (the message names it when one alone always does)",
        "narrow the exception, or give the node the exception's effect",
    ),
    "W603": (
        "(`privlex verify`) a permitting rule or exception never permits: whenever it would, a deny of the same ruleset overrides it",
        "a deny always overrides a permit: make the permit an exception of the deny it is meant to lift",
    ),
    "W604": (
        "(`privlex verify`) the ruleset's default is never used: some rule or exclusion decides every use the ruleset applies to",
        "check that this is meant; otherwise narrow the rule that decides everything",
    ),
    "W605": (
        "(`privlex verify`) a ruleset can never apply: no use lies in its regions and dates and meets its applicability condition",
        "check `covers`, `from`, `until` and `applies when`",
    ),
}
