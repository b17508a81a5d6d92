"""Whether the applicant's name is the one the identity provider verified.

The same name reaches us written in different ways: composed or decomposed umlauts (NFC, Unicode UAX #15), in
capitals, with "ß" as "ss" (the capitals of "Weiß" are "WEISS"), with umlauts transliterated as German has done
wherever they could not be typed ("Müller" as "Mueller", DIN 5007-2 and the machine-readable zone of passports,
ICAO Doc 9303), and double names with a hyphen or a space ("Anna-Lena", "Anna Lena"). All of these are one name.
Nothing else is forgiven: no accent is dropped ("Muller" is not "Müller"), no letter corrected, and a name that
does not match is rejected, never replaced by the verified one.
"""

import unicodedata

# After case folding, which has made "ß" (and the capital "ẞ") "ss" already.
_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
# Hyphens as keyboards and word processors write them: hyphen-minus, hyphen, non-breaking hyphen, figure dash,
# en dash, em dash, minus sign. Each separates the parts of a double name as a space does.
_HYPHENS = str.maketrans(dict.fromkeys("-\u2010\u2011\u2012\u2013\u2014\u2212", " "))


def same_name(verified: str, typed: str) -> bool:
    return comparable(verified) == comparable(typed)


def comparable(name: str) -> str:
    """The form in which two writings of one name are equal."""
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())
    return " ".join(folded.translate(_TRANSLITERATION).translate(_HYPHENS).split())
