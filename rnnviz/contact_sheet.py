"""The gallery's ``index.html``: every figure as a thumbnail, grouped by the lecture's sections, one caption each."""

from __future__ import annotations

from html import escape

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; background: {background}; color: {text}; }}
h1 {{ margin-bottom: 0.2rem; }}
h2 {{ margin-top: 2.5rem; border-bottom: 1px solid {muted}; padding-bottom: 0.3rem; }}
.sheet {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); gap: 1.5rem; }}
figure {{ margin: 0; }}
img {{ width: 100%; border: 1px solid {muted}; }}
figcaption {{ font-size: 0.95rem; margin-top: 0.3rem; }}
figcaption a {{ color: {muted}; margin-left: 0.4rem; font-size: 0.85rem; }}
figcaption .claim {{ display: block; color: {muted}; font-size: 0.8rem; margin-top: 0.2rem; }}
table {{ border-collapse: collapse; margin-top: 0.5rem; }}
td, th {{ padding: 0.2rem 0.8rem; text-align: right; border-bottom: 1px solid {muted}; }}
td:first-child, th:first-child {{ text-align: left; }}
pre {{ color: {muted}; }}
</style>
</head>
<body>
<h1>{title}</h1>
<pre>{summary}</pre>
{sections}
</body>
</html>
"""


def contact_sheet(entries, *, title: str, summary: str = "", tables=None, colours=None) -> str:
    """The HTML page for ``entries`` (dicts with section, caption, files: format -> relative path, and
    optionally claims: the checks of what the caption says, as lines of text).

    ``tables``: section -> (header, rows) drawn under that section's heading.
    ``colours``: background, text and muted colours (the gallery's theme).
    """
    colours = {"background": "#ffffff", "text": "#222222", "muted": "#909090", **(colours or {})}
    sections = {}
    for entry in entries:
        sections.setdefault(entry["section"], []).append(entry)
    html = []
    for section, members in sections.items():
        html.append(f"<h2>{escape(section)}</h2>")
        if tables and section in tables:
            html.append(_table(*tables[section]))
        html.append('<div class="sheet">')
        html.extend(_figure(entry) for entry in members)
        html.append("</div>")
    return PAGE.format(title=escape(title), summary=escape(summary), sections="\n".join(html), **colours)


def _figure(entry) -> str:
    files = entry["files"]
    shown = files.get("png") or files.get("svg") or next(iter(files.values()))
    links = "".join(f'<a href="{escape(path)}">{fmt.upper()}</a>' for fmt, path in files.items())
    claims = "".join(f'<span class="claim">{escape(claim)}</span>' for claim in entry.get("claims", ()))
    return (f'<figure><a href="{escape(shown)}"><img src="{escape(shown)}" alt="{escape(entry["caption"])}" '
            f'loading="lazy"></a><figcaption>{escape(entry["caption"])}{links}{claims}</figcaption></figure>')


def _table(header, rows) -> str:
    head = "".join(f"<th>{escape(str(cell))}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"
