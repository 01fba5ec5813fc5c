from django.core.exceptions import PermissionDenied, ValidationError


class CircleError(ValidationError):
    """A refusal a member can read (``.message``). Nothing was changed."""

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message, code=code)

    def __str__(self):
        return self.message


class NotAllowed(CircleError, PermissionDenied):
    """The actor lacks the role for this action (a 403 if a view lets it through)."""
