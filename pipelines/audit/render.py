"""The audit as Markdown (for version control and e-mail) and as one offline HTML page (for signing)."""

from __future__ import annotations

import html

from pipelines.lib.report import Section, inline_html, markdown_document

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:80rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}"
    "table{border-collapse:collapse;width:100%;margin-bottom:1.5rem}th,td{border:1px solid #bbb;"
    "padding:.35rem .5rem;text-align:left;vertical-align:top}th{background:#eef2f6}code{font-size:.9em}"
    ".verdict{padding:.75rem 1rem;border-radius:.3rem;font-weight:600}.pass{background:#e3f4e1;border:1px solid "
    "#3a7d34}.fail{background:#fbe3e1;border:1px solid #b3261e}td:empty{height:2.2rem}"
    "@media print{body{margin:0;max-width:none}}"
)


def to_markdown(title: str, sections: list[Section]) -> str:
    return markdown_document(title, "Gemaakt door `monitor audit`; niet met de hand bewerken.", sections)


def to_html(title: str, sections: list[Section], passed: bool) -> str:
    """One self-contained page: inline style, no scripts, no external resources."""
    body = [f"<h1>{html.escape(title)}</h1>"]
    for i, part in enumerate(sections):
        body.append(f"<h2>{html.escape(part.title)}</h2>")
        if part.intro:
            css = f' class="verdict {"pass" if passed else "fail"}"' if i == 0 else ""
            body.append(f"<p{css}>{inline_html(part.intro)}</p>")
        head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in part.header)
        rows = "".join("<tr>" + "".join(f"<td>{inline_html(c)}</td>" for c in row) + "</tr>" for row in part.rows)
        body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    return (
        f'<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{_STYLE}</style></head><body>{''.join(body)}</body></html>\n"
    )
