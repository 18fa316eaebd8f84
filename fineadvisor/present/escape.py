"""Text from logs, URLs and price files is data: escaped so that Markdown, HTML and LaTeX in it stay text."""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>!|$&~#^])")
"""What Markdown (CommonMark + GFM), inline HTML, entities and Streamlit's LaTeX can give a meaning to inside a
line: emphasis and code (`*_~`), links and images (`[]!`), HTML and autolinks (`<>`), entities (`&`), tables (`|`)
and formulas (`$`). CommonMark lets any ASCII punctuation be backslash-escaped; without `[` and `]` parentheses
cannot make a link."""
_LITERAL_LINK = re.compile(r"(?i)(://)|(www)(\.)|(@)|(:)(?=[a-z_/])")
"""GFM's autolink literals (`http://…`, `www.…`, `name@host`, also after `_` or `~`) and Streamlit's shortcodes
(`:rocket:`, `:material/home:`) are found in the text after escapes are read, so a backslash cannot stop them: a
zero-width space (U+200B) inside the pattern does, and shows nothing."""
_ZWSP = "\u200b"
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def _break_link(match: re.Match[str]) -> str:
    if match.group(1):
        return ":" + _ZWSP + "//"
    if match.group(2):
        return match.group(2) + _ZWSP + "."
    if match.group(4):
        return "@" + _ZWSP
    return ":" + _ZWSP


def markdown(text: object) -> str:
    """`text` as Markdown that renders exactly as the text: no link, image, HTML, entity, formula or table cell
    from it. Line breaks and control characters become one space (one item stays one line)."""
    flat = _CONTROL.sub(" ", str(text))
    return _LITERAL_LINK.sub(_break_link, _SPECIAL.sub(r"\\\1", flat))


_TERMINAL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Control characters a terminal would act on (escape sequences set titles, move the cursor, hide text)."""


def terminal(text: str) -> str:
    """`text` safe to print on a terminal: control characters (but newline and tab) shown as `\\xNN`."""
    return _TERMINAL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029]")


def json_text(text: str) -> str:
    """JSON written with ensure_ascii=False, with DEL, the C1 controls (a terminal may act on them) and the line
    and paragraph separators written as \\u escapes: the same JSON values, nothing a reader's screen obeys (JSON
    itself escapes the C0 controls)."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
