"""Remove personal data from free text before it is stored: card numbers, bank account numbers,
national ID, Hong Kong ID and passport numbers, a card's security code and expiry date, phone
numbers and e-mail addresses (also written out: "john dot lee at gmail dot com").

Customers paste their card number into the search box or a feedback comment ("我的卡號
4111111111111111被盜刷"); the search log and the feedback store must never keep it. Every kind is
found in two steps: a bounded regular expression (or a plain scan) proposes a span, then a check
confirms it. Checks come from well-kept libraries where one exists: Luhn and the mainland
resident ID from python-stdnum, phone numbers from phonenumbers (Google's libphonenumber data,
regions TW and CN, and HK for numbers written as phone numbers). The Taiwan and Hong Kong ID
check digits, which no such library covers, are computed here. Checks, shapes and nearby words
("CVV", "有效期", "帳號", "護照") are what keep amounts, dates, limits, OTP codes and times in the text.

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

import phonenumbers
from stdnum import luhn
from stdnum.cn import ric

__all__ = ["PLACEHOLDERS", "findings", "redact", "redact_and_cut"]

PLACEHOLDERS = {"card": "[card]", "account": "[account]", "id": "[id]", "passport": "[passport]",
                "cvv": "[cvv]", "expiry": "[expiry]", "phone": "[phone]", "email": "[email]"}

# When two kinds claim exactly the same span, the one with the stronger check names it: an
# 18-digit number with a valid ID checksum and birth date is far more likely an ID than a card,
# and a number that is a valid phone number is a phone before it is "some account".
_PRIORITY = {"id": 0, "card": 1, "passport": 2, "cvv": 3, "expiry": 4, "phone": 5, "email": 6,
             "account": 7}

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


def _confirmed(pattern: re.Pattern[str], check: Callable[[re.Match[str]], bool],
               group: int = 0) -> Detector:
    """Every match of ``pattern`` that passes ``check`` (its span, or ``group``'s). After a
    failed check the search resumes one character later, not after the match, so a valid number
    right behind it is not skipped."""
    def find(folded: str) -> Iterator[Span]:
        pos = 0
        while (match := pattern.search(folded, pos)) is not None:
            if check(match):
                yield match.span(group)
            pos = match.start() + 1
    return find


# ---- cards -------------------------------------------------------------------------------------

# Digit groups joined by a separator: one or two spaces, a hyphen, a dot or a slash. Groups are
# maximal digit runs, so the pattern cannot split the same text two ways (no catastrophic
# backtracking on "1-1-1-...").
_NUMBER_RUN = re.compile(r"[0-9]+(?:(?: {1,2}|[-./])[0-9]+)*")
_DIGIT_GROUP = re.compile(r"[0-9]+")
_ODD_CARD_SHAPES = {(4, 6, 5), (4, 6, 4)}  # American Express, Diners Club


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
            separator = folded[first_end:groups[first + 1][0]] if first + 1 < len(groups) else ""
            lengths: tuple[int, ...] = ()
            total = 0
            for last in range(first, len(groups)):
                group_start, end = groups[last]
                if last > first and folded[groups[last - 1][1]:group_start] != separator:
                    break  # "4111 1111-1111 1111" mixes separators: not how a card is written
                lengths += (end - group_start,)
                total += end - group_start
                if total > 19 or (last > first and lengths[0] != 4):
                    break
                if total >= 13 and _card_shape(lengths):
                    if luhn.is_valid("".join(folded[s:e] for s, e in groups[first:last + 1])):
                        yield start, end


# ---- national IDs ------------------------------------------------------------------------------

# Resident ID, 18 characters, optionally written 6-8-4 with one kind of separator.
_CN_ID18 = re.compile(r"(?<![0-9])([1-9][0-9]{5})([ -]?)([0-9]{8})\2([0-9]{3})([0-9Xx])(?![0-9])")
_CN_ID15 = re.compile(r"(?<![0-9])[1-9][0-9]{5}([0-9]{2})([0-9]{2})([0-9]{2})[0-9]{3}(?![0-9])")


def _cn_id18_valid(match: re.Match[str]) -> bool:
    """Checksum, birth date and place, by python-stdnum; born 1900-2099."""
    area, _separator, birth, sequence, check = match.groups()
    return 1900 <= int(birth[:4]) <= 2099 and ric.is_valid(area + birth + sequence + check.upper())


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


# Hong Kong identity card: one or two letters, six digits, a check digit (0-9 or A), usually in
# parentheses: A123456(3). The check digit: weights 9..2 over the letters (A=10 .. Z=35, a space
# = 36 for a one-letter number) and digits, 11 minus the sum mod 11, where 10 is "A" and 11 "0".
_HK_ID = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{1,2})([0-9]{6})(?: ?\(([0-9Aa])\)| ?([0-9Aa]))(?![A-Za-z0-9])")


def _hk_id_valid(match: re.Match[str]) -> bool:
    letters, digits = match.group(1).upper(), match.group(2)
    check = (match.group(3) or match.group(4)).upper()
    values = ([36] if len(letters) == 1 else []) + [ord(c) - 55 for c in letters] + [int(d) for d in digits]
    remainder = sum(v * w for v, w in zip(values, range(9, 1, -1))) % 11
    expected = {0: "0", 1: "A"}.get(remainder, str(11 - remainder))
    return check == expected


# ---- numbers named by the words before them ----------------------------------------------------

# What may stand between the word and the number: spaces, a colon, "number", "is", "是", "號碼"...
_FILLER = r"(?:[\s:#.,=-]|\b(?:number|num|no|is|was|code|date|on)\b|是|為|为|號碼|号码|號|号|：){0,6}"


def _after_words(words: str, value: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """``value`` (group "v") right after one of ``words`` and some filler."""
    return re.compile(rf"(?:{words}){_FILLER}(?P<v>{value})", flags)


_ACCOUNT_WORDS = (r"\baccount|\bacct\b|\ba/c\b|\bacc\b|帳號|账号|帐号|帳戶|账户|帐户|戶口|户口|"
                  r"戶頭|户头|轉入帳|转入账")
# Eight or more digits, one run with single spaces or hyphens, fenced: "012-345678-001".
_ACCOUNT_AFTER_WORDS = _after_words(_ACCOUNT_WORDS, r"(?<![0-9])[0-9]+(?:[ -][0-9]+){0,5}(?![0-9])")
# With no word before it: a block of 10-19 digits, or groups of digits with hyphens or single
# spaces, 10-19 digits in all. Amounts are kept by the currency and thousands checks below.
_LONG_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?<![A-Za-z]-)[0-9]+(?:[ -][0-9]+){0,5}(?![0-9])")
_CURRENCY_BEFORE = re.compile(r"(?:NT|HK|US|RMB|CNY|TWD|HKD|USD|\$|¥|￥|元|圓)\s*$", re.IGNORECASE)
_UNIT_AFTER = re.compile(r"\s*(?:元|块|塊|圓|万|萬|億|亿|dollars?|NTD|TWD|HKD|RMB|CNY|USD)",
                         re.IGNORECASE)


def _not_an_amount(folded: str, start: int, end: int) -> bool:
    if _CURRENCY_BEFORE.search(folded[max(0, start - 6):start]) or _UNIT_AFTER.match(folded, end):
        return False
    groups = _DIGIT_GROUP.findall(folded, start, end)
    # 1 000 000 000: thousands, not an account
    return not (len(groups) > 1 and len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]))


def _account_shape(folded: str, start: int, end: int) -> bool:
    """Groups of three or more digits: dates and times (2026-11-28 09:00) have groups of two."""
    groups = _DIGIT_GROUP.findall(folded, start, end)
    return len(groups) == 1 or (all(len(g) >= 3 for g in groups) and folded[end:end + 1] != ":")


def _accounts(folded: str) -> Iterator[Span]:
    for match in _ACCOUNT_AFTER_WORDS.finditer(folded):
        start, end = match.span("v")
        if _digit_count(folded[start:end]) >= 8 and _not_an_amount(folded, start, end):
            yield start, end
    for match in _LONG_NUMBER.finditer(folded):
        start, end = match.span()
        if (10 <= _digit_count(match.group()) <= 19 and _account_shape(folded, start, end)
                and _not_an_amount(folded, start, end)):
            yield start, end


_PASSPORT_WORDS = r"\bpassport|護照|护照"
_PASSPORT_AFTER_WORDS = _after_words(_PASSPORT_WORDS, r"(?<![A-Za-z0-9])[A-Za-z]{0,2}[0-9]{6,9}(?![A-Za-z0-9])")
# Mainland passports without a word before them: E or G and eight digits, or E, a letter and seven.
_CN_PASSPORT = re.compile(r"(?<![A-Za-z0-9])(?:[EG][0-9]{8}|E[A-HJ-NP-Z][0-9]{7})(?![A-Za-z0-9])")

_CVV = _after_words(r"\bcvv2?|\bcvc2?|\bcsc\b|\bcid\b|security\s+code|安全碼|安全码|背面(?:末)?三碼|"
                    r"背面(?:末)?三码|末三碼|末三码|檢查碼|检查码", r"(?<![0-9])[0-9]{3,4}(?![0-9])")
_MONTH = r"(?:0?[1-9]|1[0-2])"
# MM/YY, MM/YYYY, YYYY/MM, 2027年12月, 12月/27; never the start of a longer date (2026/12/01).
_EXPIRY = _after_words(
    r"\bexp\b|\bexpiry|\bexpiration|\bexpires?\b|valid\s+(?:thru|through|until)|good\s+thru|"
    r"有效期限?|有效日期|卡片?到期日|到期年月",
    rf"(?<![0-9])(?:{_MONTH}\s*[/.-]\s*(?:20)?[0-9]{{2}}|20[0-9]{{2}}\s*[/.-]\s*{_MONTH}|"
    rf"(?:20)?[0-9]{{2}}\s*年\s*{_MONTH}\s*月|{_MONTH}\s*月\s*/?\s*(?:20)?[0-9]{{2}}\s*年?)"
    r"(?![0-9]|[/.-][0-9])")


def _value_of(pattern: re.Pattern[str]) -> Detector:
    def find(folded: str) -> Iterator[Span]:
        for match in pattern.finditer(folded):
            yield match.span("v")
    return find


# ---- phones ------------------------------------------------------------------------------------

_PHONE_WORDS = re.compile(r"(?:phone|mobile|call|tel|whatsapp|contact|number|電話|电话|手機|手机|"
                          r"聯絡|联络|聯繫|联系|致電|致电|回電|回电)[^0-9]{0,12}$", re.IGNORECASE)
_MAX_PHONE_TRIES = 500  # phonenumbers stops after this many candidates: long junk stays linear


def _phones(folded: str) -> Iterator[Span]:
    """Phone numbers as libphonenumber validates them: Taiwan and mainland numbers as customers
    write them, any number with a country code. A Hong Kong number has eight digits and no area
    code, which amounts share, so it counts only with a space or hyphen in the middle or after a
    word such as "phone" or "電話"."""
    if _digit_count(folded) < 7:
        return
    leniency = phonenumbers.Leniency.VALID
    for region in ("TW", "CN"):
        for match in phonenumbers.PhoneNumberMatcher(folded, region, leniency, _MAX_PHONE_TRIES):
            if _as_phones_are_written(match):
                yield match.start, _without_extension(folded, match)
    for match in phonenumbers.PhoneNumberMatcher(folded, "HK", leniency, _MAX_PHONE_TRIES):
        written = folded[match.start:match.end]
        if written.startswith(("+", "00")):
            continue  # with a country code: found above
        if not written.isdigit() or _PHONE_WORDS.search(folded, max(0, match.start - 24), match.start):
            yield match.start, _without_extension(folded, match)


def _as_phones_are_written(match) -> bool:
    """libphonenumber forgives a missing trunk prefix ("2026-000123" as a Beijing number); people
    do not leave it out. Accept a number with "+", "(" or "0" in front, its country code in front,
    or a mainland mobile (which has no trunk prefix)."""
    written = match.raw_string
    if written.startswith(("+", "(", "0")):
        return True
    digits = "".join(c for c in written if "0" <= c <= "9")
    if digits.startswith(str(match.number.country_code)) and len(digits) > 10:
        return True
    return (match.number.country_code == 86 and digits.startswith("1") and len(digits) == 11
            and phonenumbers.number_type(match.number) in _MOBILE)


_MOBILE = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def _without_extension(folded: str, match) -> int:
    """Where the number ends, before any extension ("ext 12"): the extension is not personal."""
    if not match.number.extension:
        return match.end
    digits = _digit_count(folded[match.start:match.end]) - len(match.number.extension)
    seen = 0
    for index in range(match.start, match.end):
        if "0" <= folded[index] <= "9":
            seen += 1
            if seen == digits:
                return index + 1
    return match.end


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


# Written out: "john dot lee at gmail dot com", "wang(at)yahoo.com.tw", "amy 小老鼠 gmail 點 com".
# Found from each "at" word: the domain after it must end in a common top-level domain, which is
# what keeps "meet at the branch" and "at 5 dot 30" in the text.
_AT_WORD = re.compile(r"\s*(?:\(at\)|\[at\]|\{at\}|<at>)\s*|\s+at\s+|\s*(?:小老鼠|艾特)\s*", re.IGNORECASE)
_DOT = r"(?:\s*(?:\(dot\)|\[dot\]|\{dot\}|<dot>|點|点)\s*|\s+dot\s+|\.)"
_WRITTEN_DOMAIN = re.compile(rf"[A-Za-z0-9-]{{1,63}}(?:{_DOT}[A-Za-z0-9-]{{1,63}}){{1,4}}(?![A-Za-z0-9])")
_WRITTEN_LOCAL = re.compile(rf"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9_%+-]{{0,63}}"
                            rf"(?:{_DOT}[A-Za-z0-9_%+-]{{1,63}}){{0,4}}$")
_TLDS = frozenset("com net org edu gov mil int info biz io co me tw cn hk mo sg my jp kr uk us ca au "
                  "de fr".split())
# Words that come before "at" in ordinary sentences ("look at google dot com" is not an address).
_NOT_LOCAL = frozenset("at look looking me us you him her them it is am are was were be been log login "
                       "sign signed here there stay work home live meet email mail write contact reach "
                       "find visit go click available online site website me: only".split())


def _written_emails(folded: str) -> Iterator[Span]:
    for at in _AT_WORD.finditer(folded):
        domain = _WRITTEN_DOMAIN.match(folded, at.end())
        if domain is None:
            continue
        last = re.split(_DOT, domain.group())[-1].lower()
        local = _WRITTEN_LOCAL.search(folded[max(0, at.start() - 200):at.start()])
        if last not in _TLDS or local is None:
            continue
        plain_at = at.group().strip().lower() == "at"
        if plain_at and local.group().lower() in _NOT_LOCAL:
            continue
        yield at.start() - (len(local.group())), domain.end()


# ---- putting it together -----------------------------------------------------------------------

_DETECTORS: tuple[tuple[str, Detector], ...] = (
    ("card", _cards),
    ("id", _confirmed(_CN_ID18, _cn_id18_valid)),
    ("id", _confirmed(_CN_ID15, _cn_id15_valid)),
    ("id", _confirmed(_TW_ID, _tw_id_valid)),
    ("id", _confirmed(_TW_OLD_ARC, lambda match: True)),
    ("id", _confirmed(_HK_ID, _hk_id_valid)),
    ("passport", _value_of(_PASSPORT_AFTER_WORDS)),
    ("passport", _confirmed(_CN_PASSPORT, lambda match: True)),
    ("account", _accounts),
    ("cvv", _value_of(_CVV)),
    ("expiry", _value_of(_EXPIRY)),
    ("phone", _phones),
    ("email", _emails),
    ("email", _written_emails),
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


_CUT_MARGIN = 512


def redact_and_cut(text: str, limit: int) -> str:
    """``redact(text)`` cut to at most ``limit`` characters, never inside a placeholder.

    Redaction comes first: a card number across the cut would otherwise be stored as a fragment
    ("4111 1111") that no longer looks like a card. Give it the text as received (the search box
    already bounds its length), not the text search has cut.
    """
    if limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    # What lies further than this past the cut is never stored, and nothing personal is this long
    # (an e-mail address has at most 254 characters): megabytes of text cost no more than a page.
    redacted = redact(text[:limit + _CUT_MARGIN])
    if len(redacted) <= limit:
        return redacted
    cut = redacted[:limit]
    opening = cut.rfind("[")
    if opening != -1 and "]" not in cut[opening:] and any(
            redacted.startswith(placeholder, opening) for placeholder in PLACEHOLDERS.values()):
        cut = cut[:opening]
    return cut
