"""Every error we expect, with a message fit to show the person who hit it.

The portal renders ``KbError.user_message`` in one place; command-line tools print ``str(error)``.
Anything that is not a ``KbError`` is a bug.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class KbError(Exception):
    """Base of all expected errors. ``user_message`` is safe to show to a customer."""

    user_message = "Something went wrong on our side. Please try again in a moment."


class SettingsError(KbError):
    """A setting from the environment could not be read."""


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a content file, located for the editor who must fix it."""

    path: str
    line: int
    field: str
    message: str
    severity: str = "error"  # or "warning": reported, but does not fail the check

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.field}: {self.message}"


class ContentError(KbError):
    """Content that cannot be used. Carries the problems, each with file, line and field."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class IndexNotReady(KbError):
    """No usable index: never built, deleted, or damaged."""

    user_message = ("Our help pages are being updated right now. Please try again in a few "
                    "minutes, or contact us and a person will help you.")


class IndexMismatch(KbError):
    """The index was built with another embedding model than the one configured."""

    user_message = IndexNotReady.user_message


class IndexBuildError(KbError):
    """A build could not finish; the previous index is still serving."""


class RankerFileError(KbError):
    """A fitted ranker file (kb/models/ranker.<setup>.json) that cannot be used."""

    user_message = IndexNotReady.user_message


class DataFileError(KbError):
    """A line of an evaluation or data file that cannot be used."""

    def __init__(self, path: str | Path, line: int, message: str):
        self.path, self.line = str(path), line
        super().__init__(f"{path}:{line}: {message}")


class StorageError(KbError):
    """The search log or feedback store could not be written or read."""


class SignInError(KbError):
    """Staff sign-in refused."""

    user_message = "That password is not right."


class LearnError(KbError):
    """A learned question that cannot be added or removed (unknown answer, duplicate, wrong
    language...). The message says why and is fit to show the staff member who asked."""

    def __init__(self, message: str):
        super().__init__(message)
        self.user_message = message


class StaffActionError(KbError):
    """A staff action (confirm a Q/A, add a synonym, start a draft, undo) that cannot be done.
    The message says why and is fit to show the staff member who asked."""

    def __init__(self, message: str):
        super().__init__(message)
        self.user_message = message
