"""Whether the city a citizen typed names a municipality, as the official register spells it."""

import re
import unicodedata

# Words that join a name to its qualifier ("am Main", "ob der Tauber"), and their abbreviations ("a.d. Donau",
# "i.d. OPf.", "b. Würzburg", "v.d. Höhe").
_JOINING_WORDS = {"am", "an", "auf", "bei", "beim", "dem", "den", "der", "im", "in", "ob", "unter", "vor", "vorm"}
_PARTICLES = frozenset(_JOINING_WORDS | {"a", "b", "d", "i", "v"})
_QUALIFIER_MARK = "/"  # "Halle (Saale)", "Halle/Saale": what follows the bracket or slash qualifies the name
_TRANSLITERATED = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ł": "l", "(": " / ", "/": " / "})


def city_names(city: str, official: str) -> bool:
    """Whether the city name a citizen typed names the municipality officially called `official`.

    Both are compared as words (`_comparable`: Unicode NFC, case folded so ß is ss, ä ö ü as ae oe ue (Köln is
    Koeln), other accents dropped (Budyšin is Budysin), hyphens, dots, slashes and brackets as spaces, "St." as
    "Sankt"). An official name is its main name and an optional qualifier: what follows a bracket or slash, or a
    joining word after the first word ("am", "an der", "a.d.", "i.", "bei", "ob der" …): "Frankfurt am Main" is
    Frankfurt + Main, "Halle (Saale)" is Halle + Saale, "Mühlheim an der Donau" is Muehlheim + Donau. A Sorbian
    name after " - " ("Bautzen - Budyšin") is a second name of the same municipality; the whole official name
    names it too.

    The city names the municipality when it is the whole main name followed by nothing, or by the qualifier with
    or without its joining words, each word written out or shortened ("Frankfurt", "Frankfurt a.M.", "Frankfurt
    (Main)", "Halle/S."). The main name is never shortened and no word is added: "Mülheim" is not "Mühlheim an
    der Donau", "Frankfurt (Oder)" is not "Frankfurt am Main", "Köln-Porz" is not "Köln".

    This is tolerant, so it is used only together with the other municipalities of the postal code: `route`
    accepts it when exactly one of them is named, and asks the citizen when several are (a postal code with both
    "Burg" and "Burg (Spreewald)" for "Burg").
    """
    typed = _words(city)
    return typed == _words(official) or any(_names_form(typed, main, qualifier) for main, qualifier in _forms(official))


def _words(name: str) -> list[str]:
    return [word for word in _comparable(name) if word != _QUALIFIER_MARK]


def _names_form(typed: list[str], main: list[str], qualifier: list[str]) -> bool:
    if not main or typed[: len(main)] != main:
        return False
    rest = [word for word in typed[len(main) :] if word not in _PARTICLES]
    return len(rest) <= len(qualifier) and all(
        given.startswith(word) or word.startswith(given) for given, word in zip(rest, qualifier, strict=False)
    )


def _forms(official: str) -> list[tuple[list[str], list[str]]]:
    """Each name of the municipality as (main name, qualifier without its joining words)."""
    forms = []
    for name in official.split(" - "):
        words = _comparable(name)
        end = next((i for i, word in enumerate(words) if _ends_main_name(words, i)), len(words))
        qualifier = [word for word in words[end:] if word not in _PARTICLES and word != _QUALIFIER_MARK]
        forms.append((words[:end], qualifier))
    return forms


def _ends_main_name(words: list[str], i: int) -> bool:
    # A joining word before the first real word is part of the name: "Am Mellensee", "An der Schmücke".
    started = any(word not in _PARTICLES for word in words[:i])
    return words[i] == _QUALIFIER_MARK or (started and words[i] in _PARTICLES)


def _comparable(name: str) -> list[str]:
    folded = unicodedata.normalize("NFC", name).casefold().translate(_TRANSLITERATED)
    without_accents = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    words = re.sub(r"[^a-z0-9/]+", " ", without_accents).split()
    return ["sankt" if word == "st" else word for word in words]
