"""Verification: properties proved for every use, solver lints, and semantic diffs.

The rules are compiled to solver formulas (encode.py) over the space of every
valid use (space.py); properties (properties.py), lints (lints.py) and diffs
(diff.py) are questions asked of them. Needs the `verify` extra (z3-solver).
"""
