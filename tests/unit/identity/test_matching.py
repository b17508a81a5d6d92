import unicodedata

import pytest

from civicflow.identity.domain.matching import same_name


@pytest.mark.parametrize(
    ("verified", "typed"),
    [
        ("Müller", "Mueller"),
        ("Mueller", "Müller"),
        ("Müller", "MÜLLER"),
        ("Müller", "MUELLER"),
        ("Müller", unicodedata.normalize("NFD", "Müller")),  # u + combining diaeresis
        ("Weiß", "WEISS"),
        ("Weiß", "Weiss"),
        ("Weiss", "Weiß"),
        ("Weiß", "WEIẞ"),  # the capital sharp s
        ("Jäger", "Jaeger"),
        ("Öztürk", "Oeztuerk"),
        ("Anna-Lena", "Anna Lena"),
        ("Anna Lena", "Anna-Lena"),
        ("Anna-Lena", "Anna\u2010Lena"),  # the Unicode hyphen
        ("Anna-Lena", "Anna \u2013 Lena"),  # an en dash
        ("Anna  Lena", " Anna Lena "),
        ("Anna Lena", "Anna\u00a0Lena"),  # a no-break space
        ("Erika", "erika"),
    ],
)
def test_one_name_written_in_different_ways_matches(verified: str, typed: str) -> None:
    assert same_name(verified, typed)


@pytest.mark.parametrize(
    ("verified", "typed"),
    [
        ("Müller", "Muller"),  # an umlaut is not dropped
        ("Mueller", "Muller"),
        ("Müller", "Möller"),
        ("Müller", "Mülle"),
        ("Weiß", "Weis"),
        ("Anna-Lena", "Annalena"),  # parts are not joined
        ("Anna-Lena", "Anna"),
        ("José", "Jose"),  # other accents count
        ("Erika", "Erica"),
        ("Erika", ""),
    ],
)
def test_another_name_does_not_match(verified: str, typed: str) -> None:
    assert not same_name(verified, typed)
