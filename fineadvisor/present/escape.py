"""Text from logs, URLs and price files is data: escaped so that Markdown, HTML and LaTeX in it stay text."""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>!|$&~#^]|:(?=//)|(?<=[wW]{3})\.|@)")
"""What Markdown (CommonMark + GFM), inline HTML, entities and Streamlit's LaTeX can give a meaning to inside a
line: emphasis and code (`*_~`), links and images (`[]!`), HTML and autolinks (`<>`), entities (`&`), tables (`|`),
formulas (`$`), and the GFM autolink literals `http://`, `www.` and `name@host` (their `:`, `.` and `@`).
CommonMark lets any ASCII punctuation be backslash-escaped; without `[` and `]` parentheses cannot make a link."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def markdown(text: object) -> str:
    """`text` as Markdown that renders exactly as the text: no link, image, HTML, entity, formula or table cell
    from it. Line breaks and control characters become one space (one item stays one line)."""
    flat = _CONTROL.sub(" ", str(text))
    return _SPECIAL.sub(r"\\\1", flat)
