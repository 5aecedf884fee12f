"""User text on a page: names, notes, team names, topics and file names are data, never Markdown or HTML.

Every Streamlit text element (markdown, caption, info, warning, subheader, expander labels...) renders Markdown,
so a manager named ``![t](http://127.0.0.1:9/track.png)`` would make every browser that shows the name load that
image, and ``[点此](http://evil.example)`` would become a link. :func:`md` makes such text literal: every ASCII
punctuation character gets a backslash (CommonMark lets any of them be escaped; this also stops Streamlit's
``:red[...]``, ``:material/icon:`` and ``$math$``) and line breaks become spaces. :func:`md_params` does it for
the parameters of a message (``ctx.t(key, **md_params(name=...))``). HTML built by hand uses ``html.escape``.
"""
from __future__ import annotations

import html
import re

__all__ = ["html_text", "md", "md_params", "md_join"]

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:=&\"'^%@,;/?])")


def md(value) -> str:
    """`value` as text that Streamlit's Markdown shows exactly as written (None → "")."""
    if value is None:
        return ""
    text = re.sub(r"[\r\n\t]+", " ", str(value))
    return _SPECIAL.sub(r"\\\1", text)


def md_params(**params) -> dict:
    """Message parameters with every text value escaped by :func:`md` (numbers and dates kept as they are)."""
    return {k: md(v) if isinstance(v, str) else v for k, v in params.items()}


def md_join(values, sep: str = "、") -> str:
    """Several user texts (e.g. names) joined for one message, each escaped."""
    return sep.join(md(v) for v in values)


def html_text(value) -> str:
    """`value` for HTML written by hand (``unsafe_allow_html``): ``html.escape``, line breaks as spaces (a blank
    line would end the HTML block and let Markdown start), and Markdown's link/image characters as entities."""
    text = html.escape(re.sub(r"[\r\n]+", " ", "" if value is None else str(value)))
    return text.translate(_ENTITIES)


_ENTITIES = str.maketrans({"[": "&#91;", "]": "&#93;", "(": "&#40;", ")": "&#41;", "!": "&#33;", "*": "&#42;",
                           "_": "&#95;", "`": "&#96;", ":": "&#58;", "$": "&#36;", "~": "&#126;"})
