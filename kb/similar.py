"""Similar questions (相似問法): the other ways customers ask a question, and the rules they follow.

Editors list them in an article under the question they belong to, in a fenced block::

    ## I lost my card. What should I do first?

    ```similar
    lost my card what now
    card gone how do i block it
    ```

Staff add confirmed customer questions through ``content/learned-questions.yml`` (``kb.learned``).
Both end up in ``Unit.similar`` and are indexed as passages that resolve to their unit.
"""
from __future__ import annotations

import functools
import re
import unicodedata

from kb.language import EN, HANS, HANT, is_bare_latin, is_han, profile, to_simplified, to_traditional
from kb.normalize import clean, fold

FENCE_INFO = "similar"
_LATIN_WORD = re.compile(r"[A-Za-z]+")

# Customers type short questions; a similar question longer than this is almost always an answer
# or a whole message pasted by mistake, and a long passage would match queries for its other
# words. The longest in the bundled content is about 60 characters.
MAX_CHARS = 120

# Characters that OpenCC's Simplified->Traditional conversion changes, yet Taiwanese and Hong
# Kong writers use every day (台幣, 里程, 皇后, 批准, 群組, 吃角子): not evidence of Simplified text.
_ALSO_TRADITIONAL = frozenset("台群吃准里后干范余游秘冲采尸云斗丑朴几周")


def is_similar_fence(info: str) -> bool:
    """True for a fenced block whose info string is ``similar``."""
    words = info.strip().split()
    return bool(words) and words[0].lower() == FENCE_INFO


# Both run for every similar question on every build (the check runs before each build): cached,
# a watcher's rebuild after one saved file does not judge the other thousands again.
@functools.lru_cache(maxsize=1 << 16)
def key(text: str) -> str:
    """What makes two phrasings "the same": width, case, script variant, spaces and punctuation
    do not count (``Lost my card!`` = ``lost my card``, ``卡片遺失？`` = ``卡片遗失``)."""
    folded = fold(clean(text))
    return "".join(c for c in folded if unicodedata.category(c)[0] in "LN")


@functools.lru_cache(maxsize=1 << 16)
def language_problem(declared: str, text: str) -> tuple[str, str] | None:
    """(severity, message) when a similar question is not in its article's language, else None.

    Customers of Chinese articles mix in English words and names ("信用卡 PIN 忘了", "App 支援
    VoiceOver 嗎"): that is fine while the Chinese carries the question. The share is counted as
    Han characters against Latin-script *words* (a word of English weighs about what a Chinese
    character does; counted in letters, "VoiceOver" would outweigh the question). Short text is
    judged by character, not by langdetect (which calls short Chinese Korean): one
    Simplified-only character in a Traditional question (卡丢了) is enough, as is one
    Traditional-only character in a Simplified one.
    """
    p = profile(text)
    words = len(_LATIN_WORD.findall(text))
    if declared in (HANT, HANS):
        if p.han == 0:
            if p.latin == 0:
                return None  # digits or symbols only: nothing to judge
            if is_bare_latin(text):
                return ("warning", f"'{text}' has no Chinese: add the Chinese words a {declared} "
                        "customer would type with it")
            return "error", f"'{text}' is not Chinese: write it in {declared} (English words like PIN may be mixed in)"
        if p.han < words:
            return "error", (f"'{text}' is mostly English: write it in {declared} "
                             "(English words like PIN may be mixed in)")
        han = "".join(c for c in text if is_han(c))
        if declared == HANT:
            wrong = [c for c in han if c not in _ALSO_TRADITIONAL and to_traditional(c) != c
                     and to_simplified(c) == c]
            if wrong:
                return "error", (f"'{text}' is written in Simplified Chinese ({''.join(dict.fromkeys(wrong))}): "
                                 "write it in Traditional characters")
        else:
            wrong = [c for c in han if to_simplified(c) != c]
            if wrong:
                return "error", (f"'{text}' has Traditional characters ({''.join(dict.fromkeys(wrong))}): "
                                 "write it in Simplified characters")
        return None
    if declared == EN and p.han and p.han >= words:
        return "error", f"'{text}' is Chinese: write it in English, or put it in the Chinese article"
    return None


def length_problem(text: str) -> str | None:
    if len(text) > MAX_CHARS:
        return (f"'{text[:40]}...' is {len(text)} characters long; a similar question is what a "
                f"customer types, at most {MAX_CHARS} characters")
    return None
