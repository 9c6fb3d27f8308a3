"""One-time codes: made with `secrets`, kept only as keyed hashes, compared in constant time.

Sign-in codes are 6 digits (typed from a phone's message); invitation codes are 12 letters
and digits in groups of 4 (typed from a letter), from an alphabet without look-alikes.
E-mail addresses and mobile numbers are hashed the same way before they are stored with a
code, so the code table names nobody.
"""

from __future__ import annotations

import hmac
import re
import secrets

from django.utils.crypto import salted_hmac

SIGN_IN_DIGITS = 6
INVITATION_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
INVITATION_LENGTH = 12


def sign_in_code() -> str:
    return f"{secrets.randbelow(10 ** SIGN_IN_DIGITS):0{SIGN_IN_DIGITS}d}"


def invitation_code() -> str:
    raw = "".join(secrets.choice(INVITATION_ALPHABET) for _ in range(INVITATION_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, INVITATION_LENGTH, 4))


def digest(purpose: str, value: str) -> str:
    """A keyed SHA-256 of `value` (under SECRET_KEY): useless to anyone who takes the table."""
    return salted_hmac(f"ehcflow.families.{purpose}", value, algorithm="sha256").hexdigest()


def same(stored_hash: str, purpose: str, value: str) -> bool:
    return hmac.compare_digest(stored_hash, digest(purpose, value))


def clean_code(text: str) -> str:
    """What a person typed, as the code was made: spaces and dashes dropped, upper case."""
    return re.sub(r"[\s-]+", "", text or "").upper()


def normalise_invitation(text: str) -> str:
    raw = clean_code(text)
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def normalise_mobile(text: str) -> str | None:
    """A UK mobile number as +447…, or None if it is not one (07… or +44 7…, 11 digits)."""
    digits = re.sub(r"[\s()-]+", "", text or "")
    if digits.startswith("+44"):
        digits = "0" + digits[3:]
    elif digits.startswith("0044"):
        digits = "0" + digits[4:]
    if re.fullmatch(r"07\d{9}", digits):
        return "+44" + digits[1:]
    return None


def normalise_email(text: str) -> str | None:
    address = (text or "").strip()
    if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", address) and len(address) <= 254:
        return address.lower()
    return None


def contact_key(text: str) -> tuple[str, str] | None:
    """("email"|"sms", normalised address) for what a person typed, or None."""
    email = normalise_email(text)
    if email is not None:
        return ("email", email)
    mobile = normalise_mobile(text)
    if mobile is not None:
        return ("sms", mobile)
    return None
