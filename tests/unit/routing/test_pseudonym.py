import re

from civicflow.routing.domain.pseudonym import agency_citizen_id

KEY = b"r" * 32
CITIZEN = "a" * 32  # identity's citizen id for one person
CITIZEN_ID = re.compile(r"^[a-z2-7]{32}$")  # CitizenId


def test_the_same_person_at_the_same_agency_keeps_one_id() -> None:
    first = agency_citizen_id(KEY, "koeln-gewerbe", CITIZEN)
    assert first is not None and CITIZEN_ID.match(first)
    assert agency_citizen_id(KEY, "koeln-gewerbe", CITIZEN) == first


def test_two_agencies_see_two_unrelated_ids_neither_of_them_identitys() -> None:
    gewerbe = agency_citizen_id(KEY, "koeln-gewerbe", CITIZEN)
    standesamt = agency_citizen_id(KEY, "koeln-standesamt", CITIZEN)
    assert len({gewerbe, standesamt, CITIZEN}) == 3


def test_two_people_at_one_agency_see_two_ids() -> None:
    assert agency_citizen_id(KEY, "koeln-gewerbe", CITIZEN) != agency_citizen_id(KEY, "koeln-gewerbe", "b" * 32)


def test_without_routings_key_nobody_computes_it() -> None:
    other_key = b"s" * 32
    assert agency_citizen_id(KEY, "koeln-gewerbe", CITIZEN) != agency_citizen_id(other_key, "koeln-gewerbe", CITIZEN)


def test_the_parts_are_separated_so_they_cannot_be_shifted_into_each_other() -> None:
    # Without a separator, agency "a" with citizen "bc…" and agency "ab" with citizen "c…" would hash alike.
    assert agency_citizen_id(KEY, "koeln", "-gewerbe" + CITIZEN) != agency_citizen_id(KEY, "koeln-gewerbe", CITIZEN)


def test_no_identity_means_no_citizen_id_at_any_agency() -> None:
    assert agency_citizen_id(KEY, "koeln-gewerbe", None) is None
