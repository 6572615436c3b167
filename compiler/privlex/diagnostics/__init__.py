"""Every finding privlex reports: built in `codes`, rendered in `render`, written by `formats`."""

from .codes import CODES, Diagnostic, Severity, diagnostic, did_you_mean, duplicate, error, warning
from .render import render, render_all, sort_key

__all__ = [
    "CODES",
    "Diagnostic",
    "Severity",
    "diagnostic",
    "did_you_mean",
    "duplicate",
    "error",
    "render",
    "render_all",
    "sort_key",
    "warning",
]
