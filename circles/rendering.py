"""Group agreements are Markdown written by hosts; this is the one place that renders them.

Markdown first, then ``nh3`` keeps only a small allowlist of tags and attributes, so raw
HTML, scripts, styles, event handlers and ``javascript:`` links never reach a page.
"""

import re

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h3",
    "h4",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "a",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> SafeString:
    """Safe HTML for ``text``; headings are demoted so they sit under the page's own."""
    html = markdown.markdown(text or "", extensions=["sane_lists"], output_format="html")
    html = html.replace("<h1>", "<h3>").replace("</h1>", "</h3>")
    html = html.replace("<h2>", "<h3>").replace("</h2>", "</h3>")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 just above


# --- Crisis resources -----------------------------------------------------------------------
# Plain text written by hosts (or the site's default). Every page that shows them, the
# circle's page and the room's support dialog, shows them the same way: one line per line,
# phone numbers as ``tel:`` links and sites as ``https:`` links, so a person on a phone
# can call or open them with one tap. Everything else stays text (escaped by the template).

_URL = r"https?://[^\s<>\"']+|www\.[^\s<>\"']+"
_DOMAIN = (
    r"(?<![\w@.])[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*"
    r"\.(?:com|org|net|gov|edu|int|info|uk|ie|ca|au|nz|de|fr|nl|be|es|it|eu)"
    r"(?:/[^\s<>\"']*)?(?![\w-])"
)
_PHONE = r"(?<![\w+/.-])\+?\d[\d ().-]{0,18}\d(?![\w/])"
_TOKEN = re.compile(f"(?P<url>{_URL})|(?P<domain>{_DOMAIN})|(?P<phone>{_PHONE})", re.IGNORECASE)
_TRAILING = ".,;:!?)]"
_YEAR = re.compile(r"(?:19|20)\d\d")


def crisis_resource_lines(text: str) -> list[list[dict[str, str]]]:
    """``text`` as lines of segments, ``{"text": ...}`` or ``{"text": ..., "href": ...}``.

    Numbers of three digits or more (``988``, ``116 123``, ``+44 20 7946 0958``) become
    ``tel:`` links, addresses (``https://…``, ``www.…``, ``findahelpline.com``) ``https:``
    links (an ``http://`` address is kept as written). A bare year (``2026``) stays text.
    Blank lines are left out.
    """
    lines = []
    for raw in (text or "").splitlines():
        line = raw.strip()
        if line:
            lines.append(_segments(line))
    return lines


def _segments(line: str) -> list[dict[str, str]]:
    segments: list[dict[str, str]] = []
    position = 0
    for match in _TOKEN.finditer(line):
        token = match.group(0)
        start, end = match.start(), match.end()
        while token and token[-1] in _TRAILING:
            token, end = token[:-1], end - 1
        href = _href(match.lastgroup, token)
        if href is None:
            continue
        if start > position:
            segments.append({"text": line[position:start]})
        segments.append({"text": token, "href": href})
        position = end
    if position < len(line):
        segments.append({"text": line[position:]})
    return segments


def _href(kind: str | None, token: str) -> str | None:
    if kind == "phone":
        digits = "".join(c for c in token.replace("(0)", "") if c.isdigit())
        if len(digits) < 3 or _YEAR.fullmatch(token):
            return None
        return f"tel:{'+' if token.startswith('+') else ''}{digits}"
    if kind == "url" and token.lower().startswith(("http://", "https://")):
        return token
    return f"https://{token}" if token else None
