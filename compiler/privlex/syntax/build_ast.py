"""Pass 2: lark parse tree -> syntax tree (`nodes`), every node with its span.

One walk of the parse tree (`NodeBuilder.transform`), one method per grammar
rule, in four parts by what they build: `build_vocabulary`, `build_rulesets`,
`build_tests` (tests and properties) and `build_conditions`; the walk and the
helpers they share are in `node_builder`.
"""

from __future__ import annotations

from lark import Token, Tree

from ..source import SourceFile
from . import nodes as n
from .build_conditions import ConditionNodes
from .build_rulesets import RulesetNodes
from .build_tests import TestNodes
from .build_vocabulary import VocabularyNodes


class _ToNodes(VocabularyNodes, RulesetNodes, TestNodes, ConditionNodes):
    """The whole builder: every grammar rule has its method in one of the parts."""


def build_ast(source: SourceFile, tree: Tree[Token]) -> n.File:
    """Turn one file's parse tree into its syntax tree."""
    transformer = _ToNodes(source)
    declarations = transformer.transform(tree)
    return n.File(path=source.path, declarations=tuple(declarations))
