"""Escaping data for Markdown: what a hostile log, URL or price file holds renders as its text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fineadvisor.present import escape
from fineadvisor.present.escape import markdown

Z = "\u200b"  # a zero-width space breaks GFM's autolink literals, which backslashes cannot


@pytest.mark.parametrize(("text", "escaped"), [
    ("gpt-4o-mini (most frequent)", "gpt-4o-mini (most frequent)"),  # ordinary text stays readable
    ("[Re-login](http://evil.example/x)", rf"\[Re-login\](http:{Z}//evil.example/x)"),
    ("![p](https://evil.example/u.png)", rf"\!\[p\](https:{Z}//evil.example/u.png)"),
    ("<script>alert(1)</script>", r"\<script\>alert(1)\</script\>"),
    ('<img src=x onerror="alert(1)">', r'\<img src=x onerror="alert(1)"\>'),
    ("$\\frac{1}{2}$", r"\$\\frac\{1\}\{2\}\$"),
    ("see www.evil.example or WWW.x.com or me@evil.example", f"see www{Z}.evil.example or WWW{Z}.x.com or me@{Z}evil.example"),
    ("a | b", r"a \| b"),
    ("**bold** _it_ `code` ~~x~~", r"\*\*bold\*\* \_it\_ \`code\` \~\~x\~\~"),
    ("line\nbreak\r\nand\ttab", "line break and tab"),
    ("&amp; &#60;", r"\&amp; \&\#60;"),
    ("_www.evil.com ~WWW.evil.com", rf"\_www{Z}.evil.com \~WWW{Z}.evil.com"),  # GFM links www. after _ or ~ too
    (":rocket: :material/home:", f":{Z}rocket: :{Z}material/home:"),  # Streamlit's shortcodes stay text
    ("file.jsonl:12: bad", "file.jsonl:12: bad"),
])
def test_markdown(text: str, escaped: str) -> None:
    assert markdown(text) == escaped


@given(st.text())
def test_escaped_text_has_no_unescaped_markup(text: str) -> None:
    """Every Markdown/HTML metacharacter is preceded by a backslash, and nothing but line breaks is lost."""
    out = markdown(text)
    i = 0
    while i < len(out):
        if out[i] == "\\":
            assert i + 1 < len(out) and not out[i + 1].isalnum()
            i += 2
            continue
        assert out[i] not in "[]<>!`*_$|&#~\\"
        assert out[i] not in "\n\r"
        i += 1
    lowered = out.lower()
    assert "://" not in lowered and "www." not in lowered and "@" not in out.replace("@\u200b", "")


@pytest.mark.parametrize(("text", "shown"), [
    ("\x1b]0;pwned\x07title", "\\x1b]0;pwned\\x07title"),  # would set the terminal's title
    ("red \x1b[31mtext", "red \\x1b[31mtext"),
    ("two\nlines\tand a tab", "two\nlines\tand a tab"),  # the report's own layout stays
    ("c1 \x9b csi", "c1 \\x9b csi"),
    ("plain é ü 日本", "plain é ü 日本"),
])
def test_terminal(text: str, shown: str) -> None:
    from fineadvisor.present.escape import terminal

    assert terminal(text) == shown


@pytest.mark.parametrize(("value", "written"), [
    ("gpt-4o\x9b31m", '"gpt-4o\\u009b31m"'),  # a C1 CSI: some terminals would start an escape sequence
    ("a\x7fb", '"a\\u007fb"'),  # DEL
    ("line\u2028break", '"line\\u2028break"'),  # JavaScript's line separator
    ("café — 日本", '"café — 日本"'),  # printable text stays as it is
])
def test_json_text(value: str, written: str) -> None:
    import json

    text = escape.json_text(json.dumps(value, ensure_ascii=False))
    assert text == written and json.loads(text) == value  # the same value, nothing a screen acts on
