"""Ranges for numbers people type, declared once with the words that explain them.

Every number a person types (a member limit, a capacity, seconds per turn, a duration,
how long to keep what is said) has a sane range. ``Range`` gives the model validators
(so the admin and every action that calls ``full_clean`` refuse the same) and the form
field's bounds and messages, in plain words rather than "Ensure this value is…".
"""

from dataclasses import dataclass

from django.core.validators import MaxValueValidator, MinValueValidator

# Ids and versions travel in hidden fields; a crafted value past these is refused with a
# message instead of reaching the database (PostgreSQL's bigint and integer).
LARGEST_ID = 2**63 - 1
LARGEST_VERSION = 2**31 - 1


@dataclass(frozen=True)
class Range:
    low: int
    high: int
    message: str

    def validators(self) -> list:
        return [
            MinValueValidator(self.low, message=self.message),
            MaxValueValidator(self.high, message=self.message),
        ]

    def form_bounds(self) -> dict:
        """``min_value``, ``max_value`` and their messages for a ``forms.IntegerField``."""
        return {
            "min_value": self.low,
            "max_value": self.high,
            "error_messages": {"min_value": self.message, "max_value": self.message},
        }

    def widget_attrs(self) -> dict:
        return {"min": self.low, "max": self.high}
