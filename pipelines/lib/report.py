"""Reports for people, built from titled tables: the data dictionary and the privacy audit share this shape.

A report is a list of sections (title, optional intro, one table). Markdown is rendered here once; each
report renders its own HTML page around the same cells, with `inline_html` for `code` spans.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    title: str
    header: list[str]
    rows: list[list[str]]
    intro: str = ""


def markdown_document(title: str, note: str, sections: list[Section]) -> str:
    """`# title`, an italic note on where it comes from, then one `##` section with a table each."""
    lines = [f"# {title}", "", f"_{note}_"]
    for part in sections:
        lines += ["", f"## {part.title}", ""]
        if part.intro:
            lines += [part.intro, ""]
        lines += markdown_table(part.header, part.rows)
    return "\n".join(lines) + "\n"


def markdown_table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table's lines; a `|` inside a cell is escaped."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]


def inline_html(text: str) -> str:
    """Escaped text with `code` spans as <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))
