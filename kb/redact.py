"""Remove personal data from free text before it is stored: card numbers, national ID numbers,
phone numbers and e-mail addresses.

Customers paste their card number into the search box or a feedback comment ("我的卡號
4111111111111111被盜刷"); the search log and the feedback store must never keep it. Every kind is
found in two steps: a bounded regular expression (or a plain scan) proposes a span, then a check
in Python confirms it. The checks (Luhn, ISO 7064 MOD 11-2, the Taiwan ID check digit, birth
dates, digit counts) are what keep amounts, dates, OTP codes and reference numbers in the text.

Detection runs on a folded copy of the text that has exactly one character for each original
character (NFKC where that gives a single character, dashes made "-"), so full-width ０-９ and ＠
are found while the replacement cuts the original text at the same positions.

Every pattern either has bounded repetition or cannot split the same text two ways, and every
numeric pattern is fenced by "no digit before, no digit after": runtime stays linear in the
length of the text, and a number is never found inside a longer block of digits.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from datetime import date
from typing import Callable, Iterable, Iterator

__all__ = ["PLACEHOLDERS", "findings", "redact", "redact_and_cut"]

PLACEHOLDERS = {"card": "[card]", "id": "[id]", "phone": "[phone]", "email": "[email]"}

# When two kinds claim exactly the same span, the one with the stronger check names it: an
# 18-digit number with a valid ID checksum and birth date is far more likely an ID than a card.
_PRIORITY = {"id": 0, "card": 1, "phone": 2, "email": 3}

Span = tuple[int, int]
Detector = Callable[[str], Iterable[Span]]

# NFKC leaves these as they are, but customers type them between digit groups.
_DASHES = {ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63"}


@functools.lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    folded = unicodedata.normalize("NFKC", char)
    # A character that NFKC expands (㈠ → "(一)") is kept as it is: one-for-one keeps positions.
    return folded.translate(_DASHES) if len(folded) == 1 else char


def _fold(text: str) -> str:
    return text if text.isascii() else "".join(map(_fold_char, text))


def _digit_count(text: str) -> int:
    return sum("0" <= c <= "9" for c in text)


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _confirmed(pattern: re.Pattern[str], check: Callable[[re.Match[str]], bool]) -> Detector:
    """Every match of ``pattern`` that passes ``check``. After a failed check the search resumes
    one character later, not after the match, so a valid number right behind it is not skipped."""
    def find(folded: str) -> Iterator[Span]:
        pos = 0
        while (match := pattern.search(folded, pos)) is not None:
            if check(match):
                yield match.span()
            pos = match.start() + 1
    return find


# ---- cards -------------------------------------------------------------------------------------

# Digit groups joined by single spaces or hyphens. Groups are maximal digit runs, so the pattern
# cannot split the same text two ways (no catastrophic backtracking on "1-1-1-...").
_NUMBER_RUN = re.compile(r"[0-9]+(?:[ -][0-9]+)*")
_DIGIT_GROUP = re.compile(r"[0-9]+")
_ODD_CARD_SHAPES = {(4, 6, 5), (4, 6, 4)}  # American Express, Diners Club
_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)  # digit * 2, its two digits added


def _luhn(digits: str) -> bool:
    values = [ord(char) - 48 for char in reversed(digits)]
    return (sum(values[0::2]) + sum(_DOUBLED[v] for v in values[1::2])) % 10 == 0


def _card_shape(lengths: tuple[int, ...]) -> bool:
    """How cards are printed: one block, fours with a shorter last group, or 4-6-5 / 4-6-4."""
    if len(lengths) == 1 or lengths in _ODD_CARD_SHAPES:
        return True
    return all(n == 4 for n in lengths[:-1]) and 1 <= lengths[-1] <= 4


def _cards(folded: str) -> Iterator[Span]:
    for run in _NUMBER_RUN.finditer(folded):
        if run.end() - run.start() < 13:
            continue
        groups = [g.span() for g in _DIGIT_GROUP.finditer(folded, run.start(), run.end())]
        for first, (start, first_end) in enumerate(groups):
            if first_end - start != 4 and not 13 <= first_end - start <= 19:
                continue  # every shape starts with a group of four, or is one block
            # No card number starts with 0, and "0000 0000 0000 0000" passes Luhn.
            if folded[start] == "0":
                continue
            separator = folded[first_end:first_end + 1]
            lengths: tuple[int, ...] = ()
            total = 0
            for last in range(first, len(groups)):
                group_start, end = groups[last]
                if last > first and folded[group_start - 1] != separator:
                    break  # "4111 1111-1111 1111" mixes separators: not how a card is written
                lengths += (end - group_start,)
                total += end - group_start
                if total > 19 or (last > first and lengths[0] != 4):
                    break
                if total >= 13 and _card_shape(lengths):
                    if _luhn("".join(folded[s:e] for s, e in groups[first:last + 1])):
                        yield start, end


# ---- national IDs ------------------------------------------------------------------------------

_CN_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CN_CHECK = "10X98765432"
# Resident ID, 18 characters, optionally written 6-8-4 with one kind of separator.
_CN_ID18 = re.compile(r"(?<![0-9])([1-9][0-9]{5})([ -]?)([0-9]{8})\2([0-9]{3})([0-9Xx])(?![0-9])")
_CN_ID15 = re.compile(r"(?<![0-9])[1-9][0-9]{5}([0-9]{2})([0-9]{2})([0-9]{2})[0-9]{3}(?![0-9])")


def _cn_id18_valid(match: re.Match[str]) -> bool:
    area, _separator, birth, sequence, check = match.groups()
    body = area + birth + sequence
    year, month, day = int(birth[:4]), int(birth[4:6]), int(birth[6:])
    if not 1900 <= year <= 2099 or not _is_date(year, month, day):
        return False
    return _CN_CHECK[sum(int(d) * w for d, w in zip(body, _CN_WEIGHTS)) % 11] == check.upper()


def _cn_id15_valid(match: re.Match[str]) -> bool:
    """The 15-digit ID (issued until 1999) has no check digit; a birth date YYMMDD must fit."""
    year, month, day = (int(part) for part in match.groups())
    return _is_date(1900 + year, month, day)


# Letters in the order of their codes 10, 11, ... 35 (I, O, W, Z were added out of order).
_TW_LETTERS = "ABCDEFGHJKLMNPQRSTUVXYWZIO"
_TW_WEIGHTS = (1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1)
# National ID (sex digit 1/2) and the 2021 resident certificate (8/9) share one check digit.
# A letter may come right before it ("IDA123456789"): the check digit keeps false hits rare.
_TW_ID = re.compile(r"(?<![0-9])([A-Za-z])([1289][0-9]{8})(?![0-9])")
# Resident certificate issued before 2021: checksum optional, so only the exact shape, fenced.
_TW_OLD_ARC = re.compile(r"(?<![A-Za-z0-9])[A-Z][A-D][0-9]{8}(?![0-9])")


def _tw_id_valid(match: re.Match[str]) -> bool:
    letter, digits = match.groups()
    code = _TW_LETTERS.index(letter.upper()) + 10
    numbers = (code // 10, code % 10, *(int(d) for d in digits))
    return sum(n * w for n, w in zip(numbers, _TW_WEIGHTS)) % 10 == 0


# ---- phones ------------------------------------------------------------------------------------

_TW_MOBILE = re.compile(r"(?<![0-9])09[0-9]{2}[ -]?[0-9]{3}[ -]?[0-9]{3}(?![0-9])")
_TW_MOBILE_INTL = re.compile(
    r"(?<![0-9])(?:\+|00)?886[ -]?(?:\(0\)[ -]?|0)?9[0-9]{2}[ -]?[0-9]{3}[ -]?[0-9]{3}(?![0-9])")
# An area code set apart by a hyphen, a space or parentheses: 02-2345-6789, (02)2345-6789,
# 07-123-4567, 037-123456, 0800-088-123, and mainland 010-12345678, (0755)1234-5678.
_LANDLINE = re.compile(r"""
    (?<![0-9])
    (?:\(0[1-9][0-9]{0,3}\)[ -]?|0[1-9][0-9]{0,3}[ -])
    [0-9]{2,4}[ -]?[0-9]{3,4}
    (?![0-9])
""", re.VERBOSE)
# Taiwan landline in one block: 0223456789, 071234567, 0800088123.
_TW_LANDLINE_BLOCK = re.compile(r"(?<![0-9])0[2-8][0-9]{7,8}(?![0-9])")
_CN_MOBILE = re.compile(
    r"(?<![0-9])(?:(?:\+|00)?86[ -]?)?1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}(?![0-9])")
# "+" then digit groups, each after one separator or in parentheses. A group is a maximal digit
# run, so there is only one way to read any text (linear time); the digit count is checked after.
_INTERNATIONAL = re.compile(r"""
    (?<![0-9A-Za-z+])
    (?:\(\+[0-9]{1,4}\)|\+[0-9]+)
    (?:[ -]?\([0-9]{1,5}\)[ -]?[0-9]+|[ -][0-9]+)*
""", re.VERBOSE)


def _landline_valid(match: re.Match[str]) -> bool:
    """9-10 digits in Taiwan, 10-12 on the mainland; fewer is a date such as 05-11-2026."""
    return 9 <= _digit_count(match.group()) <= 12


def _international(folded: str) -> Iterator[Span]:
    """E.164 allows at most 15 digits: a longer run ("+886 912 345 678 2026 11 28") keeps the
    longest leading groups that fit, as long as they still hold 8 digits."""
    for match in _INTERNATIONAL.finditer(folded):
        count, end = 0, None
        for index in range(match.start(), match.end()):
            if "0" <= folded[index] <= "9":
                count += 1
                if count > 15:
                    break
                group_ends = index + 1 == match.end() or not "0" <= folded[index + 1] <= "9"
                if group_ends and count >= 8:
                    end = index + 1
        if end is not None:
            yield match.start(), end


# ---- e-mail ------------------------------------------------------------------------------------

_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
# ASCII only: a Chinese sentence often runs straight into the address ("我的信箱是wang@..."),
# and letting CJK into the local part would swallow the sentence.
_LOCAL_CHARS = _ASCII_ALNUM | frozenset("._%+-")
_DOMAIN_CHARS = _ASCII_ALNUM | frozenset(".-")


def _domain_valid(domain: str) -> bool:
    labels = domain.split(".")
    if len(labels) < 2 or not (len(labels[-1]) >= 2 and labels[-1].isalpha()):
        return False
    return all(0 < len(label) <= 63 and label[0] != "-" and label[-1] != "-" for label in labels)


def _emails(folded: str) -> Iterator[Span]:
    """Grow each "@" outwards over the characters an address may hold. "@" is in neither set, so
    every character is scanned at most twice, however many "@" the text has."""
    at = folded.find("@")
    while at != -1:
        start = at
        while start > 0 and folded[start - 1] in _LOCAL_CHARS:
            start -= 1
        while start < at and folded[start] == ".":
            start += 1
        end = at + 1
        while end < len(folded) and folded[end] in _DOMAIN_CHARS:
            end += 1
        while end > at + 1 and folded[end - 1] in ".-":  # "write to a@b.com." ends a sentence
            end -= 1
        if start < at and _domain_valid(folded[at + 1:end]):
            yield start, end
        at = folded.find("@", at + 1)


# ---- putting it together -----------------------------------------------------------------------

_DETECTORS: tuple[tuple[str, Detector], ...] = (
    ("card", _cards),
    ("id", _confirmed(_CN_ID18, _cn_id18_valid)),
    ("id", _confirmed(_CN_ID15, _cn_id15_valid)),
    ("id", _confirmed(_TW_ID, _tw_id_valid)),
    ("id", _confirmed(_TW_OLD_ARC, lambda match: True)),
    ("phone", _confirmed(_TW_MOBILE, lambda match: True)),
    ("phone", _confirmed(_TW_MOBILE_INTL, lambda match: True)),
    ("phone", _confirmed(_LANDLINE, _landline_valid)),
    ("phone", _confirmed(_TW_LANDLINE_BLOCK, lambda match: True)),
    ("phone", _confirmed(_CN_MOBILE, lambda match: True)),
    ("phone", _international),
    ("email", _emails),
)


def _findings(text: str) -> list[tuple[str, int, int]]:
    folded = _fold(text)
    candidates = [(start, end, kind)
                  for kind, detect in _DETECTORS for start, end in detect(folded)]
    # Longest first: a card or ID wins over a phone-shaped piece of it; then the stronger kind.
    candidates.sort(key=lambda c: (c[0] - c[1], _PRIORITY[c[2]], c[0]))
    taken = bytearray(len(text))
    chosen = []
    for start, end, kind in candidates:
        if taken.find(1, start, end) == -1:
            taken[start:end] = b"\x01" * (end - start)
            chosen.append((kind, start, end))
    return sorted(chosen, key=lambda finding: finding[1])


def findings(text: str) -> list[tuple[str, int, int]]:
    """The personal data in ``text`` as ``(kind, start, end)``, sorted by position, never
    overlapping; ``kind`` is "card", "id", "phone" or "email", and ``text[start:end]`` is what
    ``redact`` replaces.

    Where two candidates overlap the longest wins, so a Taiwan mobile number inside a mainland
    ID number, or a phone-shaped stretch of a card number, is not reported on its own. Never
    raises for a ``str``; anything else is a programming error (``TypeError``).
    """
    if not isinstance(text, str):
        raise TypeError(f"findings() needs a str, not {type(text).__name__}")
    return _findings(text)


def redact(text: str) -> str:
    """``text`` with every card number, national ID number, phone number and e-mail address
    replaced by ``[card]``, ``[id]``, ``[phone]`` or ``[email]``; everything else, including
    full-width characters and spacing, comes back exactly as it was.

    Call it before a search query or feedback comment is stored or logged: the stores keep what
    customers asked, never who they are.
    """
    if not isinstance(text, str):
        raise TypeError(f"redact() needs a str, not {type(text).__name__}")
    pieces: list[str] = []
    done = 0
    for kind, start, end in _findings(text):
        pieces += [text[done:start], PLACEHOLDERS[kind]]
        done = end
    pieces.append(text[done:])
    return "".join(pieces)


def redact_and_cut(text: str, limit: int) -> str:
    """``redact(text)`` cut to at most ``limit`` characters, never inside a placeholder.

    Redaction comes first: a card number across the cut would otherwise be stored as a fragment
    ("4111 1111") that no longer looks like a card. Give it the text as received (the search box
    already bounds its length), not the text search has cut.
    """
    if limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    redacted = redact(text)
    if len(redacted) <= limit:
        return redacted
    cut = redacted[:limit]
    opening = cut.rfind("[")
    if opening != -1 and "]" not in cut[opening:] and any(
            redacted.startswith(placeholder, opening) for placeholder in PLACEHOLDERS.values()):
        cut = cut[:opening]
    return cut
