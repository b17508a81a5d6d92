"""The local stack's agency keys: per agency a private key to decrypt with and one to sign decisions with, made once
and kept private; routing's registry is the bundled one with their public halves, and routing is pointed at it
unless the operator named another."""

import json
import stat
from pathlib import Path

import pytest
from civicflow_agency import wire
from civicflow_agency.decide import signed_decision

from civicflow.local.agency_keys import (
    agency_registry_path,
    local_registry_document,
    private_keys,
    signing_key,
    write_agency_registry,
)
from civicflow.local.layout import Layout
from civicflow.local.topics_admin import agency_ids
from civicflow.routing.adapters.file_reference_data import load_agency_registry
from tests.support.agencies import unit_key, unit_signing_key


def layout_with_keys(tmp_path: Path, without: tuple[str, ...] = (), without_signing: tuple[str, ...] = ()) -> Layout:
    """A var/ whose agencies already hold their keys (the unit tests' own: RSA 4096 keys are slow to make), but for
    the encryption keys of those named `without`, and the signing keys of those named `without_signing`."""
    layout = Layout(root=tmp_path, var_dir=tmp_path / "var")
    directory = layout.secrets.directory / "agencies"
    directory.mkdir(parents=True)
    for agency_id in agency_ids():
        if agency_id not in without:
            (directory / f"{agency_id}.jwk").write_text(json.dumps(unit_key(agency_id).as_dict(private=True)))
        if agency_id not in without_signing:
            signing = unit_signing_key(agency_id).as_dict(private=True)
            (directory / f"{agency_id}.sig.jwk").write_text(json.dumps(signing))
    return layout


def test_routing_reads_the_bundled_registry_with_each_agencys_public_key(tmp_path: Path) -> None:
    layout = layout_with_keys(tmp_path)
    path = write_agency_registry(layout)
    assert path == agency_registry_path(layout)
    registry = load_agency_registry(path)
    assert [agency.agency_id for agency in registry.agencies()] == sorted(agency_ids())
    for agency in registry.agencies():
        key = agency.encryption_key()
        assert key is not None and key.kid == unit_key(agency.agency_id).kid
        assert [key.kid for key in agency.signing_keys()] == [unit_signing_key(agency.agency_id).kid]
        listed = [(key.kid, key.jwk()["use"]) for key in agency.public_keys]
        assert listed == [(unit_key(agency.agency_id).kid, "enc"), (unit_signing_key(agency.agency_id).kid, "sig")]
    assert '"d"' not in path.read_text()  # public halves only
    assert json.loads(path.read_text()) == local_registry_document(layout)  # what is published instead of the file


def test_a_missing_key_is_made_once_private_to_the_owner_and_kept(tmp_path: Path) -> None:
    layout = layout_with_keys(tmp_path, without=("koeln-gewerbe",))
    [made] = private_keys(layout, "koeln-gewerbe")
    assert made.raw_value.key_size == wire.MIN_RSA_BITS and made.kid
    assert made.kid == made.thumbprint()
    file = layout.secrets.directory / "agencies" / "koeln-gewerbe.jwk"
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert stat.S_IMODE(file.parent.stat().st_mode) == 0o700
    [again] = private_keys(layout, "koeln-gewerbe")
    assert again.kid == made.kid
    registered = load_agency_registry(write_agency_registry(layout)).responsible("05315000", "99050012104000")
    assert registered is not None and registered.agency_id == "koeln-gewerbe"
    key = registered.encryption_key()
    assert key is not None and wire.decrypt(wire.encrypt(b"{}", key), [made]) == b"{}"


def test_a_missing_signing_key_is_made_once_and_decisions_signed_with_it_verify(tmp_path: Path) -> None:
    layout = layout_with_keys(tmp_path, without_signing=("koeln-gewerbe",))
    made = signing_key(layout, "koeln-gewerbe")
    file = layout.secrets.directory / "agencies" / "koeln-gewerbe.sig.jwk"
    assert made.raw_value.key_size == wire.MIN_RSA_BITS and made.kid == made.thumbprint()
    assert (made.as_dict()["use"], made.as_dict()["alg"]) == ("sig", wire.SIGNATURE)
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert signing_key(layout, "koeln-gewerbe").kid == made.kid
    registered = load_agency_registry(write_agency_registry(layout)).responsible("05315000", "99050012104000")
    assert registered is not None and registered.agency_id == "koeln-gewerbe"
    decision = signed_decision(
        agency_id="koeln-gewerbe", submission_id="3f2b8c1e-6a4d-4e8f-9b1a-2c3d4e5f6a7b", outcome="accepted",
        reason="Vollständig.", key=made,
    )  # fmt: skip
    assert json.loads(wire.verify(decision.value, registered.signing_keys()))["outcome"] == "accepted"
    others = [
        agency for agency in load_agency_registry(agency_registry_path(layout)).agencies() if agency != registered
    ]
    with pytest.raises(wire.NotSignedByAgency):  # another agency's registered keys do not verify it
        wire.verify(decision.value, others[0].signing_keys())
