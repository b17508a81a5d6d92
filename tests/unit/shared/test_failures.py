"""Which failures wait, which retry later, which go to the dead letters."""

import pytest
from aiokafka import errors as kafka_errors
from pymongo import errors as mongo_errors

from civicflow.shared.messaging import PermanentFailure, StoreUnavailable, TransientFailure
from civicflow.shared.messaging.failures import Disposition, classify, describe


@pytest.mark.parametrize(
    ("error", "disposition"),
    [
        (mongo_errors.ServerSelectionTimeoutError("no servers"), Disposition.UNAVAILABLE),
        (mongo_errors.AutoReconnect("reset"), Disposition.UNAVAILABLE),
        (mongo_errors.NetworkTimeout("slow"), Disposition.UNAVAILABLE),
        (mongo_errors.OperationFailure("shutting down", code=91), Disposition.UNAVAILABLE),
        (StoreUnavailable("down"), Disposition.UNAVAILABLE),
        (kafka_errors.KafkaConnectionError(), Disposition.UNAVAILABLE),
        (kafka_errors.KafkaTimeoutError(), Disposition.UNAVAILABLE),
        (TransientFailure("SMTP 451"), Disposition.TRANSIENT),
        (ConnectionRefusedError(), Disposition.TRANSIENT),
        (TimeoutError(), Disposition.TRANSIENT),
        (PermanentFailure("SMTP 550"), Disposition.PERMANENT),
        (kafka_errors.MessageSizeTooLargeError(), Disposition.PERMANENT),
        (mongo_errors.OperationFailure("bad document", code=2), Disposition.PERMANENT),
        (mongo_errors.DocumentTooLarge("16 MiB"), Disposition.PERMANENT),
        (ValueError("nobody expected this"), Disposition.PERMANENT),
        (KeyError("given_name"), Disposition.PERMANENT),
    ],
)
def test_only_the_infrastructure_is_waited_for(error: Exception, disposition: Disposition) -> None:
    assert classify(error) is disposition


def test_an_unknown_error_is_described_by_kind_and_place_never_by_its_message() -> None:
    try:
        raise KeyError("erika@example.org")
    except KeyError as error:
        described = describe(error)
    assert described.startswith("KeyError at test_failures.py:")
    assert "erika" not in described
    assert describe(TransientFailure("SMTP 451")) == "TransientFailure: SMTP 451"
