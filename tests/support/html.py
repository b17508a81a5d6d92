"""Reading what a page rendered, for the pages' unit tests."""

import re


def hidden(html: str, name: str) -> str:
    """The value of the page's hidden input `name` (it must have one)."""
    found = re.search(rf'<input type="hidden" name="{re.escape(name)}" value="([^"]*)"', html)
    assert found is not None, name
    return found.group(1)
