"""The one file writer and deleter under Windows rules (tests/windows.py)."""

from __future__ import annotations

import pytest

from app import files
from app.errors import UserError


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(files.TEMP_SUFFIX))


def test_replacing_a_file_held_open_says_which_program_and_leaves_no_temp_file(tmp_path, windows):
    target = tmp_path / "计划.pdf"
    target.write_bytes(b"old")
    windows.hold(target)
    with pytest.raises(files.HeldOpen) as caught:
        files.write_bytes(target, b"new", what="计划表")
    assert "PDF 阅读器" in caught.value.message and "关闭" in caught.value.message
    assert target.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []
    windows.release(target)
    files.write_bytes(target, b"new")
    assert target.read_bytes() == b"new"


def test_a_scanner_holding_the_just_written_file_is_waited_for(tmp_path, windows):
    target = tmp_path / "报送包.zip"
    target.write_bytes(b"old")
    windows.scan(target, times=3)
    files.write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert len(windows.refused) == 3
    assert _leftovers(tmp_path) == []


def test_a_failure_inside_the_block_leaves_the_target_and_no_temp_file(tmp_path):
    target = tmp_path / "统计表.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(ValueError), files.replacing(target) as tmp:
        tmp.write_bytes(b"half")
        raise ValueError("writer failed")
    assert target.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


def test_disk_full_is_said_as_disk_full(tmp_path, monkeypatch):
    import errno

    target = tmp_path / "a.pdf"

    def full(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(UserError) as caught, files.replacing(target) as tmp:
        tmp.write_bytes(b"x")
        monkeypatch.setattr("os.fsync", full)
    assert "空间不足" in caught.value.message
    assert _leftovers(tmp_path) == []


def test_removing_many_files_goes_on_past_a_held_one_and_names_it(tmp_path, windows):
    paths = [tmp_path / f"{i}.jpg" for i in range(4)]
    for p in paths:
        p.write_bytes(b"x")
    windows.hold(paths[1])
    result = files.remove_files(paths)
    assert [p.name for p in result.left] == ["1.jpg"]
    assert len(result.removed) == 3 and paths[1].exists()
    assert "1.jpg" in result.left_text()
    windows.release(paths[1])
    assert files.remove_file(paths[1]) and not paths[1].exists()


def test_leftover_temp_files_are_swept(tmp_path):
    (tmp_path / ".a.pdf.1234abcd.part").write_bytes(b"x")
    (tmp_path / "keep.pdf").write_bytes(b"x")
    files.sweep_temp_files(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.pdf"]
