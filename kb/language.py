"""Which language a text is written in: Traditional or Simplified Chinese, English, or other.

langdetect alone is wrong on short Chinese (it calls 忘記登入密碼怎麼辦 Korean), so Han text is
decided by script, and Traditional versus Simplified by an OpenCC round trip: characters that
change under Traditional->Simplified are Traditional evidence, characters that change under
Simplified->Traditional are Simplified evidence. The second is weaker (台, 里, 后 exist in both),
so ties go to Traditional. langdetect, seeded, is kept for longer Latin-script text.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from langdetect import DetectorFactory, LangDetectException, detect_langs

DetectorFactory.seed = 0  # langdetect is random without a seed

HANT, HANS, EN = "zh-Hant", "zh-Hans", "en"


@functools.cache
def _converter(config: str):
    from opencc import OpenCC
    return OpenCC(config)


def to_simplified(text: str) -> str:
    return _converter("t2s").convert(text)


def to_traditional(text: str) -> str:
    return _converter("s2twp").convert(text)


def is_han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or "\U00020000" <= char <= "\U0002ffff"


@dataclass(frozen=True)
class ScriptProfile:
    han: int
    latin: int
    other_letters: int  # kana, hangul, cyrillic...: letters we do not serve
    traditional: int  # Han characters that only Traditional uses
    simplified: int  # Han characters that only Simplified uses (weaker evidence)
    traditional_examples: str
    simplified_examples: str


def _differing(text: str, config: str) -> list[str]:
    """Characters of ``text`` that the OpenCC ``config`` conversion changes."""
    converted = _converter(config).convert(text)
    if len(converted) == len(text):
        return [a for a, b in zip(text, converted) if a != b]
    convert = _converter(config).convert  # a phrase rule changed the length: go char by char
    return [c for c in text if convert(c) != c]


def profile(text: str) -> ScriptProfile:
    han = "".join(c for c in text if is_han(c))
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    other = sum(1 for c in text if c.isalpha() and not c.isascii() and not is_han(c)
                and not unicodedata.name(c, "").startswith("LATIN"))
    trad = _differing(han, "t2s") if han else []
    simp = _differing(han, "s2t") if han else []
    return ScriptProfile(len(han), latin, other, len(trad), len(simp),
                         "".join(dict.fromkeys(trad))[:5], "".join(dict.fromkeys(simp))[:5])


def han_variant(p: ScriptProfile) -> str | None:
    """zh-Hant, zh-Hans, or None when the Han characters are shared by both scripts."""
    if p.traditional and p.traditional >= p.simplified:
        return HANT
    if p.simplified:
        return HANS
    return None


def detect(text: str) -> str | None:
    """Best guess of a text's language: zh-Hant, zh-Hans, en, another ISO code, or None.

    None means there is no evidence either way (digits only, or Han characters common to both
    scripts with no Latin words).
    """
    p = profile(text)
    if p.other_letters > p.han + p.latin:
        return _langdetect(text) or "other"
    if p.han and p.han >= p.latin / 3:
        return han_variant(p) or "zh"
    if p.latin == 0:
        return None
    if p.latin < 25 or _english_share(text) >= 0.15:
        # Too short for langdetect, or plainly English: langdetect calls five English questions
        # about "disposable virtual cards" Catalan with 0.99999 certainty.
        return EN
    return _langdetect(text) or EN


def is_bare_latin(text: str) -> bool:
    """A couple of Latin-script words with no English function word ("ATM", "OTP fee"): they
    tell the script, not the language, of a customer who may well read Chinese."""
    words = re.findall(r"[A-Za-z]+", text)
    return 0 < len(words) <= 2 and not any(is_han(c) for c in text) and _english_share(text) == 0


_ENGLISH = frozenset("""the a an and or to of in on for with is are was be can could would should
do does did i you my your me we our it this that what how why when where which who not no if
there have has at from by as will please""".split())


def _english_share(text: str) -> float:
    words = re.findall(r"[a-z]+", text.lower())
    return sum(w in _ENGLISH for w in words) / len(words) if words else 0.0


def _langdetect(text: str) -> str | None:
    try:
        best = detect_langs(text)[0]
    except LangDetectException:
        return None
    return best.lang if best.prob >= 0.8 else None


def contradiction(declared: str, text: str) -> str | None:
    """Why ``text`` cannot be in the ``declared`` language, or None when it fits."""
    p = profile(text)
    if declared in (HANT, HANS):
        # By share, not by count: a short question (怎么撤销借款, 信用卡PIN忘了) is as Chinese as
        # a long answer. A Han character weighs about three Latin letters, so "信用卡PIN忘了" is
        # Chinese and "reset login password" is not.
        if p.han == 0 and p.latin == 0:
            return None  # digits or symbols only: nothing to judge
        if p.han == 0 or p.han < p.latin / 3:
            return f"declared {declared} but the text is mostly not Chinese"
        found = han_variant(p)
        if declared == HANT and found == HANS:
            return (f"declared zh-Hant but the text reads as Simplified Chinese "
                    f"({p.simplified} Simplified characters such as {p.simplified_examples})")
        if declared == HANS and p.traditional > max(2, p.han // 50):
            return (f"declared zh-Hans but the text has {p.traditional} Traditional characters "
                    f"such as {p.traditional_examples}")
        return None
    if declared == EN:
        if p.han > p.latin / 3:
            return "declared en but the text is mostly Chinese"
        found = detect(text) if p.latin >= 200 else EN
        if found not in (None, EN, "zh"):
            return f"declared en but the text reads as language '{found}'"
    return None
