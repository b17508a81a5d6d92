"""The de-duplication store and the set-aside list under --state survive a restart."""

import stat
from pathlib import Path

from civicflow_agency.records import Record
from civicflow_agency.state import DATABASE, InboxState


def test_a_handled_submission_id_is_remembered_across_restarts(tmp_path: Path) -> None:
    state = InboxState(tmp_path / "state")
    assert not state.handled("s-1")
    state.mark_handled("s-1")
    state.mark_handled("s-1")  # a second mark is no error: the record may come back before its commit
    assert state.handled("s-1") and not state.handled("s-2")
    state.close()
    reopened = InboxState(tmp_path / "state")
    assert reopened.handled("s-1") and not reopened.handled("s-2")
    reopened.close()


def test_the_state_directory_is_the_owners_only(tmp_path: Path) -> None:
    InboxState(tmp_path / "state").close()
    assert stat.S_IMODE((tmp_path / "state").stat().st_mode) == 0o700
    assert (tmp_path / "state" / DATABASE).exists()


def test_a_set_aside_record_is_kept_once_with_its_value_still_encrypted(tmp_path: Path) -> None:
    state = InboxState(tmp_path / "state")
    record = Record("agency.a.submissions", 2, 41, b"s-9", b"eyJhbGciOi.still.encrypted")
    state.set_aside(record, "s-9", "not for this agency's keys")
    state.set_aside(record, "s-9", "not for this agency's keys")  # redelivered before its commit
    state.close()
    (kept,) = InboxState(tmp_path / "state").undecryptable()
    assert (kept.topic, kept.partition, kept.offset, kept.submission_id) == ("agency.a.submissions", 2, 41, "s-9")
    assert kept.reason == "not for this agency's keys" and kept.value == record.value
