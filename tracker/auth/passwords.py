"""Password policy: long enough, and not one that attackers try first (NIST SP 800-63B 5.1.1.2)."""

from __future__ import annotations

import re
import secrets
from functools import cache
from itertools import pairwise

MIN_PASSWORD_LENGTH = 10


@cache
def _common() -> frozenset[str]:
    """Return the 30,000 most common passwords of zxcvbn's breach-derived list."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *personal: str) -> str | None:
    """Return why ``password`` may not be used, or None when it may.

    Refused: shorter than ``MIN_PASSWORD_LENGTH``; a common password, also with digits or
    symbols added at its end; a short piece repeated (``passwordpassword``, ``abcdabcdab``);
    a run of the alphabet or digits (``abcdefghijk``, ``9876543210``);
    one that contains the user's email name or their own name.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"The password must be at least {MIN_PASSWORD_LENGTH} characters long."
    lowered = password.lower()
    stem = re.sub(r"[\W\d_]+$", "", lowered)
    if lowered in _common() or stem in _common() or len(set(lowered)) < 4 \
            or _repeated(lowered) or _run(lowered):
        return "This password is too common: choose one that is hard to guess."
    for word in personal:
        word = word.lower().split("@")[0].strip()
        if len(word) >= 4 and word in lowered:
            return "The password must not contain your name or email."
    return None


def _repeated(password: str) -> bool:
    """Tell whether ``password`` is one piece, at most half its length, said again and again."""
    for size in range(1, len(password) // 2 + 1):
        piece = password[:size]
        if (piece * (len(password) // size + 1)).startswith(password):
            return True
    return False


def _run(password: str) -> bool:
    """Tell whether ``password`` steps through the alphabet or the digits, up or down."""
    steps = {ord(b) - ord(a) for a, b in pairwise(password)}
    return steps in ({1}, {-1})


@cache
def _decoy_hash(method: str) -> str:
    from werkzeug.security import generate_password_hash

    return generate_password_hash(secrets.token_hex(16), method=method)


def check_decoy(password: str, method: str) -> bool:
    """Hash ``password`` against a random decoy with ``method``, as for a real account, so that
    an unknown or deactivated email takes as long to refuse as a wrong password; return False."""
    from werkzeug.security import check_password_hash

    check_password_hash(_decoy_hash(method), password)
    return False
