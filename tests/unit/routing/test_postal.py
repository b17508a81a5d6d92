"""Postal code and city → municipality (AGS), over the full public German table: decided, or asked, never guessed."""

from pathlib import Path

import pytest

from civicflow.routing.adapters.file_reference_data import load_postal_index
from civicflow.routing.domain.place_names import city_names
from civicflow.routing.domain.registry import (
    Agency,
    AgencyRegistry,
    Municipality,
    PostalIndex,
    PublicKey,
    ReferenceDataError,
)
from civicflow.routing.domain.routing import NeedsClarification, Routed, route
from civicflow.shared.events import Address
from tests.support.agencies import unit_key

SERVICE = "99050012104000"
# One agency per Land (AGS prefixes 01 to 16), so that every municipality of Germany has a responsible agency.
KEY = PublicKey.model_validate(unit_key("land").as_dict(private=False))
EVERYWHERE = AgencyRegistry.of(
    Agency(
        agency_id=f"land-{state:02d}",
        name=f"Land {state:02d}",
        services=(SERVICE,),
        jurisdiction=(f"{state:02d}",),
        public_keys=(KEY,),
    )
    for state in range(1, 17)
)


def decide(postal: PostalIndex, postal_code: str, city: str) -> Routed | NeedsClarification:
    decision = route(SERVICE, Address(street="Markt 1", postal_code=postal_code, city=city), postal, EVERYWHERE)
    assert isinstance(decision, Routed | NeedsClarification), (postal_code, city, decision)
    return decision


def test_every_postal_code_with_each_of_its_names_is_its_municipality_or_a_question(germany: PostalIndex) -> None:
    assert len(germany.municipalities) > 8000
    for postal_code, municipalities in germany.municipalities.items():
        for municipality in municipalities:
            decision = decide(germany, postal_code, municipality.name)
            if isinstance(decision, Routed):
                assert decision.municipality_key == municipality.key, (postal_code, municipality)
            else:
                assert decision.reason == "ambiguous_municipality" and municipality in decision.choices


def test_the_city_decides_the_postal_codes_of_several_municipalities_unless_two_share_a_name(
    germany: PostalIndex,
) -> None:
    shared = {plz: found for plz, found in germany.municipalities.items() if len({m.key for m in found}) > 1}
    assert len(shared) == 1394  # as the issue and the table's README count them
    undecided = [
        (postal_code, municipality)
        for postal_code, municipalities in shared.items()
        for municipality in municipalities
        if not isinstance(decide(germany, postal_code, municipality.name), Routed)
    ]
    pairs = sum(len(found) for found in shared.values())
    assert pairs > 6000 and len(undecided) <= pairs // 100
    # Only real homonyms stay open: 22929 reaches Hamfelde and Köthel both in Kreis Stormarn and in Herzogtum
    # Lauenburg, two municipalities of each name.
    for postal_code, municipality in undecided:
        namesakes = [m for m in germany.lookup(postal_code) if m.name == municipality.name]
        assert len(namesakes) > 1, (postal_code, municipality)


def test_51147_flensburg_is_a_question_not_koeln(germany: PostalIndex) -> None:
    assert decide(germany, "51147", "Flensburg") == NeedsClarification(
        "postal_code_city_mismatch", (Municipality("05315000", "Köln"),)
    )


def test_namesakes_in_one_postal_code_are_a_question_offering_only_them(germany: PostalIndex) -> None:
    decision = decide(germany, "22929", "Hamfelde")
    assert isinstance(decision, NeedsClarification) and decision.reason == "ambiguous_municipality"
    assert {m.key for m in decision.choices} == {"01053049", "01062026"}
    kasseburg = decide(germany, "22929", "Kasseburg")
    assert isinstance(kasseburg, Routed) and kasseburg.municipality_key == "01053060"


@pytest.mark.parametrize(
    ("postal_code", "city", "key"),
    [
        ("60311", "Frankfurt", "06412000"),
        ("60311", "Frankfurt a. M.", "06412000"),
        ("15230", "Frankfurt", "12053000"),
        ("15230", "Frankfurt an der Oder", "12053000"),
        ("06108", "Halle", "15002000"),
        ("06108", "Halle/Saale", "15002000"),
        ("33790", "Halle (Westf.)", "05754012"),
        ("45468", "Muelheim a.d. Ruhr", "05117000"),
        ("78570", "Mühlheim", "08327036"),
        ("50667", "KOELN", "05315000"),
        ("02625", "Budyšin", "14625020"),
        ("56859", "Zell", "07135092"),  # Zell (Mosel), with Alf and Bullay
        ("97320", "Sulzfeld", "09675170"),  # Sulzfeld am Main, with four others
    ],
)
def test_a_city_written_otherwise_still_decides(germany: PostalIndex, postal_code: str, city: str, key: str) -> None:
    decision = decide(germany, postal_code, city)
    assert isinstance(decision, Routed) and decision.municipality_key == key


@pytest.mark.parametrize(
    ("postal_code", "city"),
    [
        ("60311", "Frankfurt (Oder)"),
        ("06108", "Halle (Westf.)"),
        ("78570", "Mülheim"),
        ("45468", "Mühlheim an der Ruhr"),
        ("51147", "Köln-Porz"),
        ("60311", "Frank"),
    ],
)
def test_a_city_of_another_municipality_is_a_question(germany: PostalIndex, postal_code: str, city: str) -> None:
    decision = decide(germany, postal_code, city)
    assert isinstance(decision, NeedsClarification) and decision.reason == "postal_code_city_mismatch"
    assert decision.choices == germany.lookup(postal_code)


@pytest.mark.parametrize(
    ("city", "official"),
    [
        ("Köln", "Köln"),
        ("  koeln ", "Köln"),
        ("KÖLN", "Köln"),
        ("Ko\u0308ln", "Köln"),  # decomposed umlaut (NFD), as some keyboards send it
        ("Weissenburg i. Bay.", "Weißenburg i. Bay."),
        ("Weißenburg in Bayern", "Weißenburg i. Bay."),
        ("Garmisch Partenkirchen", "Garmisch-Partenkirchen"),
        ("Frankfurt", "Frankfurt am Main"),
        ("Frankfurt/M.", "Frankfurt am Main"),
        ("Frankfurt (Main)", "Frankfurt am Main"),
        ("Halle an der Saale", "Halle (Saale)"),
        ("Halle Westfalen", "Halle (Westf.)"),
        ("Sankt Georgen", "St. Georgen im Schwarzwald"),
        ("St Ingbert", "Sankt Ingbert"),
        ("Berg bei Neumarkt", "Berg b.Neumarkt i.d.OPf."),
        ("Am Mellensee", "Am Mellensee"),
        ("Bautzen", "Bautzen - Budyšin"),
        ("Bautzen - Budyšin", "Bautzen - Budyšin"),
        ("Budysin", "Bautzen - Budyšin"),
        ("Lohsa", "Lohsa - Łaz"),
        ("Laz", "Lohsa - Łaz"),
    ],
)
def test_a_city_names_its_municipality_however_written(city: str, official: str) -> None:
    assert city_names(city, official)


@pytest.mark.parametrize(
    ("city", "official"),
    [
        ("Mülheim", "Mühlheim an der Donau"),
        ("Mühlheim an der Donau", "Mülheim an der Ruhr"),
        ("Frankfurt am Main", "Frankfurt (Oder)"),
        ("Frankfurt", "Frankfurter Land"),
        ("Frank", "Frankfurt am Main"),
        ("Köln-Porz", "Köln"),
        ("Halle (Saale)", "Halle (Westf.)"),
        ("Mellensee", "Am Mellensee"),
        ("am Main", "Frankfurt am Main"),
        ("", "Köln"),
        ("-", "Köln"),
    ],
)
def test_a_city_does_not_name_another_municipality(city: str, official: str) -> None:
    assert not city_names(city, official)


def test_both_table_forms_give_the_same_index() -> None:
    short = "plz,ags,ort\n22929,01062026,Hamfelde\n22929,01053049,Hamfelde\n22929,01062026,Hamfelde\n"
    public = (
        "osm_id,ags,ort,plz,landkreis,bundesland\n"
        "454243,01062026,Hamfelde,22929,Kreis Stormarn,Schleswig-Holstein\n"
        "1466072,01053049,Hamfelde,22929,Kreis Herzogtum Lauenburg,Schleswig-Holstein\n"
        "454244,01062026,Hamfelde,22929,Kreis Stormarn,Schleswig-Holstein\n"
    )
    expected = (Municipality("01062026", "Hamfelde"), Municipality("01053049", "Hamfelde"))
    assert PostalIndex.from_csv(short).lookup("22929") == expected  # each (ags, name) once
    assert PostalIndex.from_csv("\ufeff" + public).lookup("22929") == expected


def test_the_bundled_extract_is_in_the_public_format_and_agrees_with_the_real_table(germany: PostalIndex) -> None:
    bundled_csv = Path(__file__).resolve().parents[3] / "services/routing/src/civicflow/routing/data/postal_codes.csv"
    assert bundled_csv.read_text("utf-8").startswith("osm_id,ags,ort,plz,landkreis,bundesland\n")
    for postal_code, municipalities in load_postal_index().municipalities.items():
        assert set(municipalities) <= set(germany.lookup(postal_code)), postal_code


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("plz,ags\n50667,05315000\n", "no column ort"),
        ("plz,ags,ort\n50667,05315000,Köln\n5066,05315000,Köln\n", "line 3"),
        ("plz,ags,ort\n50667,5315000,Köln\n", "line 2"),
        ("plz,ags,ort\n50667,05315000,\n", "line 2"),
    ],
)
def test_a_broken_table_is_refused_naming_where(tmp_path: Path, table: str, message: str) -> None:
    path = tmp_path / "plz.csv"
    path.write_text(table, "utf-8")
    with pytest.raises(ReferenceDataError, match=message) as refused:
        load_postal_index(path)
    assert str(path) in str(refused.value)
