"""The agency's private keys and secrets, read from files."""

import json
from pathlib import Path

import pytest
from civicflow_agency.keys import load_private_keys, read_lines
from joserfc.jwk import RSAKey


def write_jwk(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document))
    return path


def test_keys_are_read_from_single_jwks_and_key_sets_in_order(
    tmp_path: Path, agency_key: RSAKey, other_agency_key: RSAKey
) -> None:
    newest = write_jwk(tmp_path / "new.jwk", agency_key.as_dict(private=True))
    older = write_jwk(tmp_path / "old.jwks", {"keys": [other_agency_key.as_dict(private=True)]})
    keys = load_private_keys([newest, older])
    assert [key.kid for key in keys] == [agency_key.kid, other_agency_key.kid]


def test_a_public_key_a_short_key_or_a_key_without_kid_is_refused(tmp_path: Path, agency_key: RSAKey) -> None:
    public = write_jwk(tmp_path / "public.jwk", agency_key.as_dict(private=False))
    with pytest.raises(ValueError, match="not a private RSA key"):
        load_private_keys([public])
    short = RSAKey.generate_key(2048, parameters={"kid": "short"}, private=True)
    with pytest.raises(ValueError, match="at least 4096 bits"):
        load_private_keys([write_jwk(tmp_path / "short.jwk", short.as_dict(private=True))])
    nameless = {name: value for name, value in agency_key.as_dict(private=True).items() if name != "kid"}
    with pytest.raises(ValueError, match="no kid"):
        load_private_keys([write_jwk(tmp_path / "nameless.jwk", nameless)])


def test_a_secret_file_holds_one_or_two_lines(tmp_path: Path) -> None:
    path = tmp_path / "secrets"
    path.write_text("current\n\nprevious\n")
    assert read_lines(path, 2) == ["current", "previous"]
    path.write_text("a\nb\nc\n")
    with pytest.raises(ValueError, match="1 to 2"):
        read_lines(path, 2)
    path.write_text("\n")
    with pytest.raises(ValueError, match="1 to 2"):
        read_lines(path, 2)
