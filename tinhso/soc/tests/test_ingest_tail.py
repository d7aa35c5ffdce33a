"""The file tailer: appends, rotation by rename, truncation, resuming from its state file."""

import json
import os

from tinhso.soc.ingest.tail import FileTailer


def _tailer(path, state, **kw):
    got = []
    return FileTailer(path, got.append, state_path=state, **kw), got


def test_follows_appends_from_the_end_and_keeps_a_partial_line(tmp_path):
    log, state = tmp_path / "access.log", tmp_path / "state.json"
    log.write_bytes(b"old 1\nold 2\n")
    tailer, got = _tailer(log, state)
    assert tailer.poll() == 0 and got == []  # no memory of the file: starts at its end
    with open(log, "ab") as fh:
        fh.write(b"new 1\nnew 2\nhalf")
    tailer.poll()
    assert got == [b"new 1", b"new 2"]
    with open(log, "ab") as fh:
        fh.write(b" line\r\n")
    tailer.poll()
    assert got[-1] == b"half line"
    saved = json.loads(state.read_text())[str(log.resolve())]
    assert saved["offset"] == log.stat().st_size and saved["ino"] == log.stat().st_ino


def test_rotation_by_rename_reads_the_old_file_to_its_end_then_the_new_one(tmp_path):
    log, state = tmp_path / "access.log", tmp_path / "state.json"
    log.write_bytes(b"")
    tailer, got = _tailer(log, state)
    with open(log, "ab") as fh:
        fh.write(b"a\n")
    tailer.poll()
    os.rename(log, tmp_path / "access.log.1")
    with open(tmp_path / "access.log.1", "ab") as fh:  # the server still writes the old one
        fh.write(b"b\nc")
    log.write_bytes(b"d\ne\n")
    tailer.poll()
    assert got == [b"a", b"b", b"c", b"d", b"e"]
    assert tailer.counts["rotations"] == 1
    with open(log, "ab") as fh:
        fh.write(b"f\n")
    tailer.poll()
    assert got[-1] == b"f"


def test_rotated_away_then_created_later(tmp_path):
    log = tmp_path / "access.log"
    log.write_bytes(b"")
    tailer, got = _tailer(log, tmp_path / "s.json")
    os.rename(log, tmp_path / "access.log.1")
    assert tailer.poll() == 0
    log.write_bytes(b"x\n")
    tailer.poll()
    assert got == [b"x"]


def test_truncation_starts_again_at_the_beginning(tmp_path):
    log = tmp_path / "access.log"
    log.write_bytes(b"")
    tailer, got = _tailer(log, tmp_path / "s.json")
    with open(log, "ab") as fh:
        fh.write(b"first long line\nsecond long line\n")
    tailer.poll()
    with open(log, "r+b") as fh:  # copytruncate
        fh.truncate(0)
    with open(log, "ab") as fh:
        fh.write(b"z\n")
    tailer.poll()
    assert got == [b"first long line", b"second long line", b"z"]
    assert tailer.counts["truncations"] == 1


def test_restart_resumes_from_the_state_file_without_rereading(tmp_path):
    log, state = tmp_path / "access.log", tmp_path / "state.json"
    log.write_bytes(b"before\n")
    first, got1 = _tailer(log, state)
    with open(log, "ab") as fh:
        fh.write(b"one\ntwo\npart")
    first.poll()
    first.close()
    with open(log, "ab") as fh:
        fh.write(b"ial\nthree\n")  # written while stopped
    second, got2 = _tailer(log, state)
    second.poll()
    assert got1 == [b"one", b"two"]
    assert got2 == [b"partial", b"three"]


def test_state_of_a_file_rotated_while_stopped_reads_the_new_file_whole(tmp_path):
    log, state = tmp_path / "access.log", tmp_path / "state.json"
    log.write_bytes(b"a\n")
    first, _ = _tailer(log, state, from_start=True)
    first.poll()
    first.close()
    os.rename(log, tmp_path / "access.log.1")
    log.write_bytes(b"new\n")
    second, got = _tailer(log, state)
    second.poll()
    assert got == [b"new"]


def test_a_huge_line_is_skipped_and_counted_and_memory_stays_bounded(tmp_path):
    log = tmp_path / "access.log"
    log.write_bytes(b"")
    tailer, got = _tailer(log, tmp_path / "s.json", max_line=100, chunk=64)
    with open(log, "ab") as fh:
        fh.write(b"ok 1\n" + b"x" * 5000 + b"\nok 2\n")
    while tailer.poll():
        assert len(tailer.partial) <= 100
    assert got == [b"ok 1", b"ok 2"]
    assert tailer.counts["too_long"] == 1


def test_read_all_reads_a_batch_whole_with_its_last_line(tmp_path):
    log = tmp_path / "batch.log"
    log.write_bytes(b"1\n2\n3")
    tailer, got = _tailer(log, None, from_start=True)
    tailer.read_all()
    assert got == [b"1", b"2", b"3"]
