"""What a page must not hold under the strict Content-Security-Policy: inline event handlers, style attributes,
inline scripts or style sheets without the request's nonce, and javascript: URLs."""

from __future__ import annotations

from html.parser import HTMLParser


class InlineCodeFinder(HTMLParser):
    def __init__(self, nonce: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.nonce = nonce
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> (inline event handler)")
            elif name == "style":
                self.problems.append(f"<{tag} style={value!r}> (style attribute)")
            elif name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}=javascript:…>")
        if tag in ("script", "style") and "src" not in a:
            if tag == "script" and (a.get("type") or "").lower() in ("application/json", "application/ld+json"):
                return
            if not self.nonce or a.get("nonce") != self.nonce:
                self.problems.append(f"<{tag}> inline without the request's nonce")


def inline_code_problems(html: str, nonce: str | None = None) -> list[str]:
    finder = InlineCodeFinder(nonce)
    finder.feed(html)
    return finder.problems
