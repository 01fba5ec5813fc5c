"""``refused(code)``: like ``pytest.raises(Refused)``, and the refusal's code must match."""

from contextlib import contextmanager

import pytest

from hearth.refusal import Refused


@contextmanager
def refused(code: str, match: str | None = None):
    with pytest.raises(Refused, match=match) as caught:
        yield caught
    assert caught.value.code == code
