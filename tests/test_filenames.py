"""Proposed file names: every Windows folder accepts them; save dialogs start in Documents."""

from __future__ import annotations

from pathlib import Path

import platformdirs

from app.filenames import desktop_folder, documents_folder, safe_stem


def test_a_theme_with_forbidden_characters_becomes_a_name_windows_accepts():
    assert safe_stem('学习"二十大"精神：3/5 专题?', "党日活动") == "学习_二十大_精神：3_5 专题"
    assert safe_stem("  某某村\u3000党支部  ", "党支部") == "某某村 党支部"
    assert safe_stem("第一党支部.", "党支部") == "第一党支部"


def test_nothing_usable_left_gives_the_fallback_and_device_names_are_avoided():
    assert safe_stem("", "党日活动") == "党日活动"
    assert safe_stem('***//""', "党日活动") == "党日活动"
    assert safe_stem("CON", "x") == "CON_"
    assert safe_stem("com1.txt", "x") == "com1.txt_"


def test_a_long_theme_is_cut(monkeypatch):
    assert len(safe_stem("很" * 100, "x", max_chars=20)) == 20


def test_save_dialogs_start_in_documents_or_home(monkeypatch, tmp_path):
    docs = tmp_path / "文档"
    docs.mkdir()
    monkeypatch.setattr(platformdirs, "user_documents_dir", lambda: str(docs))
    assert documents_folder() == docs
    monkeypatch.setattr(platformdirs, "user_documents_dir", lambda: str(tmp_path / "gone"))
    assert documents_folder() == Path.home()


def test_a_received_file_is_looked_for_on_the_desktop_or_home(monkeypatch, tmp_path):
    monkeypatch.setattr(platformdirs, "user_desktop_dir", lambda: str(tmp_path))
    assert desktop_folder() == tmp_path
    monkeypatch.setattr(platformdirs, "user_desktop_dir", lambda: str(tmp_path / "gone"))
    assert desktop_folder() == Path.home()
