"""Chinese names in pinyin order and found by pinyin (app/services/names.py, issue 20)."""

from __future__ import annotations

import pytest

from app.services.names import initial, matches, sort_key, syllables


@pytest.mark.parametrize("query", ["zjh", "zhangjianhua", "ZhangJH", "zhang jian hua", "jianhua"])
def test_zhang_jianhua_is_found_by_full_pinyin_initials_or_a_mix(query):
    assert matches("张建华", query)
    assert not matches("李建国", query)


def test_characters_still_find_and_nonsense_finds_nobody():
    assert matches("张建华", "建华") and matches("张建华", "") and matches("张 建华", "张建")
    assert not matches("张建华", "zjx") and not matches("张建华", "xyz")
    assert not matches("张建华", "张三")


@pytest.mark.parametrize(
    ("name", "reading", "letter"),
    [
        ("单雄信", ("shan", "xiong", "xin"), "S"),
        ("曾国藩", ("zeng", "guo", "fan"), "Z"),
        ("解缙", ("xie", "jin"), "X"),
        ("仇英", ("qiu", "ying"), "Q"),
        ("区志强", ("ou", "zhi", "qiang"), "O"),
        ("查良镛", ("zha", "liang", "yong"), "Z"),
        ("朴永善", ("piao", "yong", "shan"), "P"),
        ("乐嘉", ("yue", "jia"), "Y"),
        ("盖聂", ("ge", "nie"), "G"),
        ("缪青", ("miao", "qing"), "M"),
        ("覃振", ("qin", "zhen"), "Q"),
        ("尉迟恭", ("yu", "chi", "gong"), "Y"),
    ],
)
def test_surnames_are_read_as_surnames(name, reading, letter):
    assert syllables(name) == reading and initial(name) == letter
    assert matches(name, "".join(s[0] for s in reading))


def test_roster_order_is_pinyin_syllable_by_syllable():
    names = ["张建华", "单雄信", "曾国藩", "阿明", "尚可", "沙僧", "孙悟空", "王五", "尉迟恭"]
    assert sorted(names, key=sort_key) == [
        "阿明",
        "沙僧",
        "单雄信",  # shan, before shang
        "尚可",
        "孙悟空",
        "王五",
        "尉迟恭",
        "曾国藩",
        "张建华",
    ]


def test_every_reading_of_a_character_finds_a_name_when_searching():
    assert matches("单雄信", "dan") and matches("单雄信", "sxx")
    assert matches("曾国藩", "cgf") and matches("曾国藩", "zgf")


def test_names_with_letters_or_a_middle_dot_sort_and_match():
    assert matches("阿卜杜·买买提", "mmt") and initial("Tom李") == "T"
    assert initial("123") == "#"
