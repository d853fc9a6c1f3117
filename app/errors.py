"""Domain errors: a user mistake carries a Chinese message saying what to fix."""

from __future__ import annotations


class UserError(Exception):
    """A mistake the user can fix. `message` is Chinese and says what to do; `english` is for logs
    and the CLI's second line."""

    def __init__(self, message: str, english: str = "", *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.english = english
        self.field = field

    def __str__(self) -> str:
        return self.message
