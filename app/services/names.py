"""Chinese names in pinyin order and found by pinyin: one place for the roster, the attendance
sheet and every name picker.

    sort_key(name)      a key that sorts names as a Chinese roster does (by pinyin, surname first)
    initial(name)       the letter a name sorts under (单雄信 -> S)
    matches(name, q)    True when `q` finds `name`: a part of the name in characters, or pinyin
                        typed as full syllables, initials, or a mix (zjh, zhangjh, jianhua)

Surnames that pypinyin reads with their everyday reading are fixed (单 shan, 曾 zeng, 解 xie,
仇 qiu, 区 ou, 查 zha, 朴 piao, 乐 yue, 盖 ge, 缪 miao, 覃 qin, 尉迟 yuchi, …). For searching,
every reading of each character counts too, so typing `dan` still finds 单雄信.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Surname -> its reading as a surname (syllables). Compound surnames first: they are matched
# before single characters.
SURNAMES: dict[str, tuple[str, ...]] = {
    "尉迟": ("yu", "chi"),
    "万俟": ("mo", "qi"),
    "长孙": ("zhang", "sun"),
    "单于": ("chan", "yu"),
    "澹台": ("tan", "tai"),
    "令狐": ("ling", "hu"),
    "鲜于": ("xian", "yu"),
    "单": ("shan",),
    "曾": ("zeng",),
    "解": ("xie",),
    "仇": ("qiu",),
    "区": ("ou",),
    "查": ("zha",),
    "朴": ("piao",),
    "乐": ("yue",),
    "盖": ("ge",),
    "华": ("hua",),
    "纪": ("ji",),
    "缪": ("miao",),
    "覃": ("qin",),
    "宿": ("su",),
    "翟": ("zhai",),
    "祭": ("zhai",),
    "种": ("chong",),
    "秘": ("bi",),
    "隗": ("wei",),
    "繁": ("po",),
    "句": ("gou",),
    "能": ("nai",),
    "折": ("she",),
    "召": ("shao",),
    "谌": ("chen",),
    "冼": ("xian",),
    "洗": ("xian",),
    "员": ("yun",),
    "贲": ("ben",),
    "卜": ("bu",),
    "黑": ("he",),
    "薄": ("bo",),
    "蕃": ("pi",),
    "郇": ("huan",),
    "阚": ("kan",),
    "沈": ("shen",),
    "柏": ("bai",),
    "重": ("chong",),
    "佴": ("nai",),
}
_COMPOUND = sorted((s for s in SURNAMES if len(s) > 1), key=len, reverse=True)
_SPACES = re.compile(r"[\s'’·•.\-_]+")


def _surname(name: str) -> str:
    for compound in _COMPOUND:
        if name.startswith(compound) and len(name) > len(compound):
            return compound
    return name[:1] if name[:1] in SURNAMES else ""


@lru_cache(maxsize=20_000)
def syllables(name: str) -> tuple[str, ...]:
    """The name's pinyin, one lower-case syllable per character (letters and digits as they
    are), the surname read as a surname."""
    from pypinyin import Style, lazy_pinyin  # loads its dictionaries: only when first needed

    name = _SPACES.sub("", name or "")
    surname = _surname(name)
    rest = lazy_pinyin(name[len(surname) :], style=Style.NORMAL, errors=lambda s: list(s))
    return tuple(s.lower() for s in (*SURNAMES.get(surname, ()), *rest))


@lru_cache(maxsize=20_000)
def _readings(name: str) -> tuple[frozenset[str], ...]:
    """Every reading of each character (the surname's fixed reading included), for searching."""
    from pypinyin import Style, pinyin

    name = _SPACES.sub("", name or "")
    fixed = syllables(name)
    every = pinyin(name, style=Style.NORMAL, heteronym=True, errors=lambda s: list(s))
    if len(every) != len(fixed):  # never expected; searching by the fixed reading is enough
        return tuple(frozenset({s}) for s in fixed)
    return tuple(
        frozenset({f, *(r.lower() for r in rs)}) for f, rs in zip(fixed, every, strict=True)
    )


def sort_key(name: str) -> tuple[tuple[str, ...], str]:
    """Sort names by pinyin syllable by syllable (shan < shang), then by the characters."""
    return syllables(name), name or ""


def initial(name: str) -> str:
    """The capital letter `name` sorts under ('#' for a name that does not start with a letter
    or a Chinese character)."""
    first = next(iter(syllables(name)), "")[:1].upper()
    return first if "A" <= first <= "Z" else "#"


def matches(name: str, query: str) -> bool:
    """True when `query` finds `name` (see the module docstring). An empty query finds all."""
    q = _SPACES.sub("", (query or "").lower())
    if not q:
        return True
    compact = _SPACES.sub("", name or "")
    if q in compact.lower():
        return True
    if not q.isascii():
        return False
    readings = _readings(compact)
    return any(_consumes(readings, start, q) for start in range(len(readings)))


def _consumes(readings: tuple[frozenset[str], ...], start: int, q: str) -> bool:
    """Whether `q` is spelled by the syllables from `start` on, each given in full or as a
    prefix (at least its first letter)."""
    ends = {0}  # positions in q reached so far
    for options in readings[start:]:
        reached = set()
        for pos in ends:
            for reading in options:
                for length in range(1, len(reading) + 1):
                    if q.startswith(reading[:length], pos):
                        reached.add(pos + length)
        if len(q) in reached:
            return True
        if not reached:
            return False
        ends = reached
    return False
