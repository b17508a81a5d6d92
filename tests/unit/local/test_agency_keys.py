"""The local stack's agency keys: one private key per agency, made once and kept private; routing's registry is the
bundled one with their public halves, and routing is pointed at it unless the operator named another."""

import json
import stat
from pathlib import Path

import pytest
from civicflow_agency import wire

from civicflow.local.agency_keys import agency_registry_path, private_keys, write_agency_registry
from civicflow.local.layout import Layout
from civicflow.local.stack import service_environment
from civicflow.local.topics_admin import agency_ids
from civicflow.routing.adapters.file_reference_data import load_agency_registry
from tests.support.agencies import unit_key


def layout_with_keys(tmp_path: Path, without: tuple[str, ...] = ()) -> Layout:
    """A var/ whose agencies already hold keys (the unit tests' own: RSA 4096 keys are slow to make)."""
    layout = Layout(root=tmp_path, var_dir=tmp_path / "var")
    directory = layout.secrets.directory / "agencies"
    directory.mkdir(parents=True)
    for agency_id in agency_ids():
        if agency_id not in without:
            (directory / f"{agency_id}.jwk").write_text(json.dumps(unit_key(agency_id).as_dict(private=True)))
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
    assert '"d"' not in path.read_text()  # public halves only


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


def test_routing_is_pointed_at_the_local_registry_unless_the_operator_named_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    layout = Layout(root=tmp_path, var_dir=tmp_path / "var")
    monkeypatch.delenv("ROUTING_AGENCY_REGISTRY", raising=False)
    assert service_environment(layout)["ROUTING_AGENCY_REGISTRY"] == str(agency_registry_path(layout))
    monkeypatch.setenv("ROUTING_AGENCY_REGISTRY", "/etc/civicflow/agencies.json")
    assert service_environment(layout)["ROUTING_AGENCY_REGISTRY"] == "/etc/civicflow/agencies.json"
