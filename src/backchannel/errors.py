"""The one exception tree of backchannel.

Library code raises these; only the CLI turns them into one-line messages and exit codes, so a
user never sees a traceback for bad input and a Python caller can catch by kind::

    BackchannelError                  root: message + context (path, line, doc_id, span_id, task_id)
    ├── InputError                    a file or value the user gave us is wrong
    │   ├── DocumentError             a Document JSONL record is malformed or inconsistent
    │   ├── SchemaError               a schema YAML file is malformed
    │   ├── IngestError               an article cannot be read or extracted
    │   ├── ConversionError           a Label Studio export or task cannot be converted
    │   └── ModelError                a model is unknown, cannot be loaded or cannot be trained
    ├── StudioError                   talking to Label Studio failed
    │   ├── StudioConnectionError     no server, server stopped, timeout
    │   ├── StudioAuthError           wrong or missing token
    │   ├── StudioServerError         the local server could not be installed or started
    │   └── StudioConflictError       the server holds state we must not overwrite
    ├── GoldError                     gold versions: missing, corrupt, or would be overwritten
    ├── PublishError                  exporting or publishing a dataset failed
    └── NotAvailableError             a command whose capability has not been built yet (exit 2)

Why context attributes rather than pre-formatted strings: tests and callers can assert on the
file, line and record without parsing the message, and the CLI formats every error the same way.
Messages never contain secrets: nothing here ever receives a token.
"""

from __future__ import annotations

from pathlib import Path

_QUOTE_LIMIT = 60


def quote(value: object, limit: int = _QUOTE_LIMIT) -> str:
    """Repr a user value for an error message, truncated so one bad line never floods a terminal."""
    text = repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def _short(value: object, limit: int = 40) -> str:
    """An id as shown in a location: ids come from user files and can be arbitrarily long."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class BackchannelError(Exception):
    """Root of every error backchannel raises on purpose.

    Attributes:
        message: what is wrong, without the location.
        path: the file involved, if any.
        line: the 1-based physical line number in ``path``.
        doc_id: the Document id.
        span_id: the span (or relation) id inside the document.
        task_id: the Label Studio task id.
        hint: what the user can do about it.
    """

    exit_code: int = 1

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        doc_id: str | None = None,
        span_id: str | None = None,
        task_id: int | str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.doc_id = doc_id
        self.span_id = span_id
        self.task_id = task_id
        self.hint = hint
        super().__init__(self.one_line())

    def where(self) -> str:
        """The location prefix: ``file:line: document X, span Y, task Z``."""
        parts: list[str] = []
        head = ""
        if self.path is not None:
            head = self.path if self.line is None else f"{self.path}:{self.line}"
        elif self.line is not None:
            head = f"line {self.line}"
        if head:
            parts.append(head)
        record = []
        if self.doc_id is not None:
            record.append(f"document {_short(self.doc_id)}")
        if self.span_id is not None:
            record.append(f"span {_short(self.span_id)}")
        if self.task_id is not None:
            record.append(f"task {_short(self.task_id)}")
        if record:
            parts.append(", ".join(record))
        return ": ".join(parts)

    def one_line(self) -> str:
        """The message as the CLI prints it: location, problem, remedy, on one line."""
        where = self.where()
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text = f"{text} ({self.hint})"
        return " ".join(text.split("\n"))


class InputError(BackchannelError):
    """A file or value given by the user is wrong."""


class DocumentError(InputError):
    """A Document JSONL record is malformed, or inconsistent with its text or schema."""


class SchemaError(InputError):
    """A schema file is malformed or inconsistent."""


class IngestError(InputError):
    """An article cannot be read, decoded or extracted."""


class ConversionError(InputError):
    """A Label Studio export or task cannot be converted to a Document without loss."""


class ModelError(InputError):
    """A model is unknown, cannot be loaded from its directory, or cannot be trained.

    A subclass of :class:`InputError`: the cause is always
    something the user chose (a name, a directory, a gold file too small to learn from).
    """


class StudioError(BackchannelError):
    """Talking to Label Studio failed."""

    exit_code = 3


class StudioConnectionError(StudioError):
    """No server answers, it stopped, or it timed out."""


class StudioAuthError(StudioError):
    """The server refused our token."""


class StudioServerError(StudioError):
    """The local Label Studio could not be installed or started."""


class StudioConflictError(StudioError):
    """The server holds annotations that an operation would invalidate."""


class GoldError(BackchannelError):
    """A gold version is missing, corrupt, or would be overwritten."""


class PublishError(BackchannelError):
    """Exporting or publishing a dataset failed."""


class NotAvailableError(BackchannelError):
    """A command whose capability has not been built yet: says so instead of faking output."""

    exit_code = 2
