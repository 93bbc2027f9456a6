"""The step log survives kill -9 at any point and refuses anything that is not a valid chain."""

import logging
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.bundles import RUN_ID, adam, make_records
from zkag_protocol.errors import LogError
from zkag_protocol.records import genesis
from zkag_protocol.steplog import StepLog

ROOT = Path(__file__).resolve().parents[1]


def start_writer(path: Path, *args: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.helpers.log_writer", str(path), *map(str, args)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("seed", range(4))
def test_kill_9_never_loses_an_acknowledged_record(tmp_path: Path, seed: int) -> None:
    """Kill a writer at a random moment; every record it reported as appended must be there."""
    path = tmp_path / "steps.jsonl"
    kill_after = random.Random(seed).randrange(5, 60)
    writer = start_writer(path, 10_000, 40)
    assert writer.stdout is not None
    acknowledged = -1
    for line in writer.stdout:
        acknowledged = int(line.split()[1])
        if acknowledged >= kill_after:
            break
    os.kill(writer.pid, signal.SIGKILL)  # possibly in the middle of the next write
    writer.wait()
    log = StepLog.open(path, run_id=RUN_ID)
    assert len(log) >= acknowledged + 1
    expected = make_records(len(log), 40)
    assert log.records == expected  # every recovered record is exactly what was appended
    assert path.read_bytes().endswith(b"\n")


def test_a_torn_last_line_is_dropped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "steps.jsonl"
    writer = start_writer(path, 20, 5, 7)
    assert writer.stdout is not None
    for line in writer.stdout:
        if line.strip() == "torn":
            break
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    size_before = path.stat().st_size
    with caplog.at_level(logging.WARNING):
        log = StepLog.open(path, run_id=RUN_ID)
    assert len(log) == 7
    assert "dropping a torn last line" in caplog.text
    assert path.stat().st_size < size_before
    # The log goes on from where it was: the torn step is appended again, whole.
    log.append(make_records(8, 5)[7])
    assert StepLog.open(path, run_id=RUN_ID).records == make_records(8, 5)


def test_damage_before_the_last_line_is_an_error_not_a_drop(tmp_path: Path) -> None:
    path = tmp_path / "steps.jsonl"
    log = StepLog.open(path, run_id=RUN_ID)
    log.append_many(make_records(4, 2))
    lines = path.read_bytes().split(b"\n")
    lines[1] = lines[1].replace(b'"step":1', b'"step":7')
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(LogError, match=r"steps.jsonl line 2: step is 7, expected 1"):
        StepLog.open(path, run_id=RUN_ID)
    assert path.read_bytes() == b"\n".join(lines)  # nothing was truncated


def test_append_checks_the_chain(tmp_path: Path) -> None:
    log = StepLog.open(tmp_path / "steps.jsonl", run_id=RUN_ID)
    records = make_records(3, 2)
    log.append(records[0])
    with pytest.raises(LogError, match="step is 2, expected 1"):
        log.append(records[2])
    forged = records[1].__class__(RUN_ID, 1, adam(1), records[1].chunks, genesis(RUN_ID))
    with pytest.raises(LogError, match=r"prev_hash is .* expected .*hash of record 0"):
        log.append(forged)
    other_run = records[1].__class__(bytes(32), 1, adam(1), records[1].chunks, records[0].hash())
    with pytest.raises(LogError, match="run id"):
        log.append(other_run)
    assert len(StepLog.open(tmp_path / "steps.jsonl", run_id=RUN_ID)) == 1


def test_next_record_links_to_the_head(tmp_path: Path) -> None:
    log = StepLog.open(tmp_path / "steps.jsonl", run_id=RUN_ID)
    assert log.head == genesis(RUN_ID)
    first = make_records(1, 2)[0]
    record = log.next_record(optimizer=first.optimizer, chunks=first.chunks)
    assert record == first
    assert log.append(record) == log.head == record.hash()
