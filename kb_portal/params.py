"""Reading numbers from URLs: ASCII digits only.

``int()`` accepts far more than a person types into a URL — ``+5``, ``1_0``, `` 7 ``, and digits
of every script (``١`` is Arabic-Indic one) — so ``?page=١`` used to be page 1 and ``?limit=1_0``
ten results. A parameter is a number only when it is plain ``0-9`` digits.
"""
import re

_DIGITS = re.compile(r"[0-9]{1,9}")


def whole_number(text: str | None) -> int | None:
    """``text`` as a non-negative whole number, or None when it is anything else."""
    if text is None or not _DIGITS.fullmatch(text):
        return None
    return int(text)
