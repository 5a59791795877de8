"""Errors raised by the event store."""


class EventStoreError(Exception):
    """Base of every error the event store raises."""


class ConcurrencyError(EventStoreError):
    """The stream was not at the version the writer expected: someone else appended first."""

    def __init__(self, stream_id: str, expected_version: int, actual_version: int) -> None:
        super().__init__(
            f"stream {stream_id!r} is at version {actual_version}, expected {expected_version}"
        )
        self.stream_id = stream_id
        self.expected_version = expected_version
        self.actual_version = actual_version


class UnknownEventTypeError(EventStoreError):
    """An event type is not registered."""


class MissingUpcasterError(EventStoreError):
    """A stored payload cannot be brought to the registered schema version."""


class PartialRetryError(EventStoreError):
    """A batch mixes events already stored with new ones: it is neither new nor a retry."""


class SubjectForgottenError(EventStoreError):
    """Personal data was appended for a data subject whose key has been deleted."""


class MissingSubjectError(EventStoreError):
    """An event carries personal fields but names no data subject to encrypt them for."""


class WrongMasterKeyError(EventStoreError):
    """The configured master key is not the one the subject keys were wrapped with."""
