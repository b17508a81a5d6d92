"""What a failed message means: drop it to the dead letters, try it again later, or wait for our own store.

Only errors of the infrastructure are worth waiting for. Everything else, including an exception nobody
anticipated, comes from the message itself and is permanent for that message: it is dead-lettered with the
reason and the consumer moves on, so one bad message can never stall the messages behind it.
"""

import traceback
from enum import Enum
from pathlib import Path

from aiokafka import errors as kafka_errors
from pymongo import errors as mongo_errors


class Disposition(Enum):
    # The message cannot be processed, now or later: dead letter at once.
    PERMANENT = "permanent"
    # A dependency of this one message failed (SMTP, identity provider): retry it later on a retry topic.
    TRANSIENT = "transient"
    # Our own store or broker is down: nothing can be processed, so hold the batch until it is back.
    UNAVAILABLE = "unavailable"


class PermanentFailure(Exception):
    """Raised by an adapter when the answer says this message will never succeed (an SMTP 5xx, an HTTP 4xx)."""


class TransientFailure(Exception):
    """Raised by an adapter when a dependency failed for a reason that may pass (an SMTP 4xx, an HTTP 5xx/429)."""


class StoreUnavailable(Exception):
    """Raised when the service's own database cannot be reached: no message can be processed until it is back."""


# Server codes that say "the server is not there right now", as MongoDB documents them in its error codes list
# (HostUnreachable, HostNotFound, NetworkTimeout, ShutdownInProgress, PrimarySteppedDown, ExceededTimeLimit,
# NotWritablePrimary, InterruptedAtShutdown, InterruptedDueToReplStateChange, NotPrimaryNoSecondaryOk,
# NotPrimaryOrSecondary).
_MONGO_UNAVAILABLE_CODES = frozenset({6, 7, 89, 91, 189, 262, 10107, 11600, 11602, 13435, 13436})
# Kafka errors caused by what we tried to write, not by the broker being away.
_KAFKA_MESSAGE_ERRORS = (kafka_errors.MessageSizeTooLargeError, kafka_errors.InvalidTopicError)


def classify(error: BaseException) -> Disposition:
    if isinstance(error, PermanentFailure):
        return Disposition.PERMANENT
    if isinstance(error, TransientFailure | OSError):  # OSError: connections refused, reset, timed out
        return Disposition.TRANSIENT
    if isinstance(error, StoreUnavailable | mongo_errors.ConnectionFailure):
        return Disposition.UNAVAILABLE
    if isinstance(error, mongo_errors.OperationFailure) and _mongo_unavailable(error):
        return Disposition.UNAVAILABLE
    if isinstance(error, kafka_errors.KafkaError) and not isinstance(error, _KAFKA_MESSAGE_ERRORS):
        return Disposition.UNAVAILABLE
    return Disposition.PERMANENT


def _mongo_unavailable(error: mongo_errors.OperationFailure) -> bool:
    return error.code in _MONGO_UNAVAILABLE_CODES or error.has_error_label("RetryableWriteError")


def describe(error: BaseException) -> str:
    """What failed and where, for logs and dead letters, without personal data.

    Only our own failures, whose messages we write, are quoted; any other exception's message may quote the
    input (a name, an address), so it is named by its type and the line that raised it.
    """
    if isinstance(error, PermanentFailure | TransientFailure | StoreUnavailable):
        return f"{type(error).__name__}: {error}"
    frames = traceback.extract_tb(error.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno} ({frames[-1].name})" if frames else ""
    return f"{type(error).__name__}{where}"
