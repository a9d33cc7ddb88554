"""Following a sign-in through real pages with a plain HTTP client: read the page,
find the form a person would use (by its button's words), submit it."""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: list[str] = field(default_factory=list)


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._in_button = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = Form(action=attrs.get("action") or "", method=attrs.get("method", "get"))
            self.forms.append(self._form)
        elif self._form is not None and tag == "input" and attrs.get("name"):
            self._form.fields[attrs["name"]] = attrs.get("value") or ""
        elif self._form is not None and tag == "button":
            self._in_button = True
            self._form.buttons.append("")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "button":
            self._in_button = False

    def handle_data(self, data):
        if self._in_button and self._form is not None:
            self._form.buttons[-1] += data.strip()


def forms(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def submit(session, response, button: str, **values):
    """Submit the form on ``response``'s page whose button says ``button`` (in any
    case, as a screen reader reads it), with the page's own fields (CSRF token
    included) plus ``values``."""
    matching = [
        form
        for form in forms(response.text)
        if button.casefold() in (text.casefold() for text in form.buttons)
    ]
    assert matching, f"no form with a {button!r} button on {response.url}:\n{response.text[:2000]}"
    form = matching[0]
    url = urljoin(response.url, form.action or response.url)
    data = {**form.fields, **values}
    if form.method.lower() == "post":
        return session.post(url, data=data, headers={"Referer": response.url}, timeout=20)
    return session.get(url, params=data, timeout=20)
