"""Personal numbers hidden in free text a resident wrote, before it leaves the street office
(the Open311 feed): mobile and landline phone numbers and resident ID card numbers."""

from __future__ import annotations

import re

_FORMS = (
    r"\d{17}[\dXx]",  # a resident ID card number: 17 digits and a check digit or X
    r"(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}",  # a mobile number: 138 1234 5678, +86-138…
    r"\(?0\d{2,3}\)?[ -]?\d{3,4}[ -]?\d{4}",  # a landline with its area code: 028-8765 4321
    r"\d{7,}",  # any other run of seven digits or more (a local number, an old 15-digit ID)
)
PERSONAL_NUMBER = re.compile(rf"(?<![0-9A-Za-z])(?:{'|'.join(_FORMS)})(?![0-9A-Za-z])")
MASK = "*"


def mask_personal_numbers(text: str) -> str:
    """`text` with every digit (and the X) of phone and ID card numbers replaced by `*`."""
    return PERSONAL_NUMBER.sub(lambda match: re.sub(r"[\dXx]", MASK, match.group()), text)
