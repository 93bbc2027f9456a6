"""A child process that appends records to a step log and reports each one after append returns.

``python log_writer.py LOG_PATH COUNT CHUNKS [TORN_AFTER]``: prints ``appended N`` (flushed)
after every durable append. With TORN_AFTER it writes half of the next line after that many
records and then waits to be killed, as a crash in the middle of a write leaves the file.
"""

import sys
import time
from itertools import islice
from pathlib import Path

from tests.helpers.bundles import RUN_ID, iter_records
from zkag_protocol.steplog import StepLog


def main() -> None:
    path, count, chunks = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    torn_after = int(sys.argv[4]) if len(sys.argv) > 4 else None
    log = StepLog.open(path, run_id=RUN_ID)
    for record in islice(iter_records(count, chunks), len(log), None):
        if torn_after is not None and record.step == torn_after:
            line = record.encode() + b"\n"
            with path.open("ab") as handle:
                handle.write(line[: len(line) // 2])
            print("torn", flush=True)
            time.sleep(600)
        log.append(record)
        print(f"appended {record.step}", flush=True)


if __name__ == "__main__":
    main()
