"""The step log file: append-only, durable, and recoverable after a crash at any point.

One canonical record per line (``steps.jsonl``). ``append`` returns only after the line is
written and fsynced, so a record it returned for survives ``kill -9`` or power loss. A crash
mid-write can only leave a last line without its newline (a torn line). Opening the log for
writing drops that tail with a warning and truncates it away. Any other damage is an error,
never a silent drop.
"""

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path

from zkag_protocol.errors import FormatError, LogError
from zkag_protocol.records import ChunkCommitments, OptimizerSpec, StepRecord, genesis

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LogLines:
    """The complete lines of a log file, and the bytes of a torn last line (if any)."""

    lines: list[bytes]
    torn_tail: bytes

    @property
    def complete_length(self) -> int:
        """Bytes up to and including the last newline."""
        return sum(len(line) + 1 for line in self.lines)


def split_lines(data: bytes) -> LogLines:
    """Split file bytes into newline-terminated lines and the unterminated rest."""
    cut = data.rfind(b"\n") + 1
    body = data[:cut]
    return LogLines(lines=body.split(b"\n")[:-1] if body else [], torn_tail=data[cut:])


def check_link(
    record: StepRecord, *, run_id: bytes, index: int, prev_hash: bytes, where: str
) -> None:
    """Check that ``record`` may follow a chain with head ``prev_hash`` at position ``index``."""
    if record.run_id != run_id:
        raise LogError(
            f"{where}: run id {record.run_id.hex()} differs from the log's {run_id.hex()}"
        )
    if record.step != index:
        raise LogError(
            f"{where}: step is {record.step}, expected {index} (steps are consecutive from 0)"
        )
    if record.prev_hash != prev_hash:
        raise LogError(
            f"{where}: prev_hash is {record.prev_hash.hex()}, expected {prev_hash.hex()} "
            f"({'genesis' if index == 0 else f'hash of record {index - 1}'})"
        )


class StepLog:
    """An open, writable step log with every record in memory."""

    def __init__(
        self, path: Path, run_id: bytes, records: list[StepRecord], hashes: list[bytes]
    ) -> None:
        self.path = path
        self.run_id = run_id
        self.records = records
        self.hashes = hashes

    @classmethod
    def open(cls, path: Path, *, run_id: bytes) -> "StepLog":
        """Open (creating if absent) and recover: verify every complete line, drop a torn tail."""
        path.touch(exist_ok=True)
        parsed = split_lines(path.read_bytes())
        records: list[StepRecord] = []
        hashes: list[bytes] = []
        head = genesis(run_id)
        for index, line in enumerate(parsed.lines):
            where = f"{path.name} line {index + 1}"
            try:
                record = StepRecord.decode(line, where)
            except FormatError as exc:
                raise LogError(f"{exc} (only a torn last line is recovered automatically)") from exc
            check_link(record, run_id=run_id, index=index, prev_hash=head, where=where)
            head = sha256(line).digest()  # over the stored bytes, which decode() proved canonical
            records.append(record)
            hashes.append(head)
        if parsed.torn_tail:
            log.warning(
                "%s: dropping a torn last line of %d bytes after record %d (cut by a crash)",
                path,
                len(parsed.torn_tail),
                len(records) - 1,
            )
            with path.open("r+b") as handle:
                handle.truncate(parsed.complete_length)
                handle.flush()
                os.fsync(handle.fileno())
        return cls(path, run_id, records, hashes)

    def __len__(self) -> int:
        return len(self.records)

    @property
    def head(self) -> bytes:
        """Hash of the last record, or the run's genesis value when the log is empty."""
        return self.hashes[-1] if self.hashes else genesis(self.run_id)

    def next_record(
        self, *, optimizer: OptimizerSpec, chunks: Sequence[ChunkCommitments]
    ) -> StepRecord:
        """The record that would be appended next, linked to the current head."""
        return StepRecord(
            run_id=self.run_id,
            step=len(self),
            optimizer=optimizer,
            chunks=tuple(chunks),
            prev_hash=self.head,
        )

    def append(self, record: StepRecord) -> bytes:
        """Durably append one record; return its hash."""
        return self.append_many([record])[-1]

    def append_many(self, records: Sequence[StepRecord]) -> list[bytes]:
        """Durably append records with one fsync; return their hashes once they are on disk."""
        lines: list[bytes] = []
        hashes: list[bytes] = []
        head = self.head
        for offset, record in enumerate(records):
            index = len(self) + offset
            check_link(
                record,
                run_id=self.run_id,
                index=index,
                prev_hash=head,
                where=f"append of step {index}",
            )
            line = record.encode()
            head = sha256(line).digest()
            lines.append(line)
            hashes.append(head)
        data = b"".join(line + b"\n" for line in lines)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        try:
            size_before = os.fstat(fd).st_size
            try:
                view = memoryview(data)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                os.fsync(fd)
            except OSError as exc:
                # Leave no partial line behind: the log must end at a record boundary.
                os.ftruncate(fd, size_before)
                raise LogError(
                    f"{self.path}: appending step {len(self)} failed: {exc.strerror}"
                ) from exc
        finally:
            os.close(fd)
        self.records.extend(records)
        self.hashes.extend(hashes)
        return hashes
