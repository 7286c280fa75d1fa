"""An admin form read from its page and sent back as a browser sends it."""

from html.parser import HTMLParser


class BrowserForm(HTMLParser):
    """The admin form on a page, as a browser would send it back: every field's value, the
    text of a box of several lines with the \\r\\n line ends browsers send."""

    def __init__(self, page: str):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._in_form = False
        self._textarea: str | None = None
        self._select: str | None = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id", "").endswith("_form"):
            self._in_form = True
        if not self._in_form or ("name" not in attrs and tag != "option"):
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in {"submit", "file", "button"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.data.setdefault(attrs["name"], []).append(attrs.get("value") or "")
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.data[attrs["name"]] = [""]
        elif tag == "select":
            self._select = attrs["name"]
            self.data.setdefault(attrs["name"], [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select].append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data

    def post_data(self, **changes) -> dict:
        """The form's values, with ``changes`` typed in, as a browser posts them."""
        data = {}
        for name, values in self.data.items():
            data[name] = values[0] if len(values) == 1 else values
        for name, value in data.items():
            if isinstance(value, str) and name in TEXT_BOXES:
                # The parser keeps the newline Django writes after <textarea>; a browser drops it.
                data[name] = value.removeprefix("\n").replace("\r\n", "\n").replace("\n", "\r\n")
        data.update({name: value.replace("\n", "\r\n") for name, value in changes.items()})
        return data


TEXT_BOXES = {"body", "address", "opening_hours", "note"}
