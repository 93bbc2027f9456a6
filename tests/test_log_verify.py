"""``zkag log verify``: a sound bundle passes; every kind of tampering fails and is located."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers.bundles import make_bundle
from zkag_protocol.canonical import canonical_json
from zkag_protocol.log_verify import LogReport, verify_log

ZKAG = Path(sys.executable).parent / "zkag"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bundle") / "run"
    make_bundle(root, steps=6, chunks=3, epoch_every=2)
    return root


@pytest.fixture
def bundle(pristine: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "run"
    shutil.copytree(pristine, copy)
    return copy


def lines(bundle: Path) -> list[bytes]:
    return (bundle / "steps.jsonl").read_bytes().split(b"\n")[:-1]


def write_lines(bundle: Path, new_lines: list[bytes]) -> None:
    (bundle / "steps.jsonl").write_bytes(b"".join(line + b"\n" for line in new_lines))


def places(report: LogReport) -> str:
    return "\n".join(str(problem) for problem in report.problems)


def test_a_sound_bundle_verifies(pristine: Path) -> None:
    report = verify_log(pristine)
    assert report.ok, places(report)
    assert (report.records, report.tree_size, report.epochs) == (6, 18, 3)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_single_byte_change_in_the_log_is_caught_and_located(
    pristine: Path, tmp_path_factory, data
) -> None:
    root = tmp_path_factory.mktemp("flip") / "run"
    shutil.copytree(pristine, root)
    raw = bytearray((root / "steps.jsonl").read_bytes())
    position = data.draw(st.integers(0, len(raw) - 1))
    raw[position] = data.draw(st.integers(0, 255).filter(lambda b: b != raw[position]))
    (root / "steps.jsonl").write_bytes(bytes(raw))
    report = verify_log(root)
    assert not report.ok
    text = places(report)
    assert "steps.jsonl: sha256" in text  # the manifest catches the file ...
    assert "steps.jsonl line" in text or "record" in text  # ... and the log names the record


@pytest.mark.parametrize("index", range(6))
def test_a_changed_byte_in_each_record_names_that_record(bundle: Path, index: int) -> None:
    content = lines(bundle)
    middle = content[index].index(b'"outputs":["') + 20
    content[index] = (
        content[index][:middle]
        + (b"0" if content[index][middle : middle + 1] != b"0" else b"1")
        + content[index][middle + 1 :]
    )
    write_lines(bundle, content)
    text = places(verify_log(bundle))
    named = f"record {index + 1}" if index < 5 else "record 5, the last"
    assert named in text, text


def test_a_deleted_record_is_caught(bundle: Path) -> None:
    content = lines(bundle)
    write_lines(bundle, content[:2] + content[3:])
    text = places(verify_log(bundle))
    assert "steps.jsonl line 3 (record 2): step is 3, expected 2" in text


def test_a_deleted_last_record_is_caught(bundle: Path) -> None:
    write_lines(bundle, lines(bundle)[:-1])
    text = places(verify_log(bundle))
    assert "manifest.json log.records: says 6, the log gives 5" in text
    assert "epoch 3 (epochs[2]): covers 6 records but the log has 5" in text


def test_swapped_records_are_caught(bundle: Path) -> None:
    content = lines(bundle)
    content[1], content[2] = content[2], content[1]
    write_lines(bundle, content)
    text = places(verify_log(bundle))
    assert "steps.jsonl line 2 (record 1): step is 2, expected 1" in text
    assert "steps.jsonl line 3 (record 2): step is 1, expected 2" in text


def test_a_consistently_rewritten_record_breaks_the_links(bundle: Path) -> None:
    """Re-chaining after a forged record still fails: its commitments no longer link."""
    from zkag_protocol.records import StepRecord

    records = [StepRecord.decode(line) for line in lines(bundle)]
    forged_chunk = (
        records[3]
        .chunks[1]
        .__class__(
            1,
            records[3].chunks[1].circuit_id,
            (b"\x07" * 32, *records[3].chunks[1].inputs[1:]),
            records[3].chunks[1].outputs,
        )
    )
    chunks = (records[3].chunks[0], forged_chunk, records[3].chunks[2])
    rebuilt = [*records[:3]]
    forged = StepRecord(records[3].run_id, 3, records[3].optimizer, chunks, rebuilt[-1].hash())
    rebuilt.append(forged)
    for record in records[4:]:
        rebuilt.append(
            StepRecord(
                record.run_id, record.step, record.optimizer, record.chunks, rebuilt[-1].hash()
            )
        )
    write_lines(bundle, [record.encode() for record in rebuilt])
    text = places(verify_log(bundle))
    assert "record 3 (step 3) chunk 1: input commitment 'w'" in text
    assert "epoch 2 (epochs[1]): root" in text


def test_a_truncated_epoch_list_is_caught(bundle: Path) -> None:
    value = json.loads((bundle / "epochs.json").read_bytes())
    value["epochs"] = value["epochs"][:-1]
    (bundle / "epochs.json").write_bytes(canonical_json(value) + b"\n")
    text = places(verify_log(bundle))
    assert "epochs.json: sha256" in text
    assert "manifest.json log.epochs: says 3, the log gives 2" in text


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda e: e[1].update(epoch=5), "epoch 5 (epochs[1]): numbered 5, expected 2"),
        (lambda e: e[2].update(root="00" * 32), "epoch 3 (epochs[2]): root 0000"),
        (
            lambda e: e[2].update(consistency_proof=e[2]["consistency_proof"][:-1]),
            "epoch 3 (epochs[2]): consistency proof",
        ),
        (
            lambda e: e[1].update(tree_size=7),
            "epoch 2 (epochs[1]): tree size 7 does not match its 4 records",
        ),
        (lambda e: e.__setitem__(2, dict(e[1])), "epoch 2 (epochs[2]): numbered 2, expected 3"),
    ],
)
def test_forged_epochs_are_located(bundle: Path, edit, expected: str) -> None:
    value = json.loads((bundle / "epochs.json").read_bytes())
    edit(value["epochs"])
    (bundle / "epochs.json").write_bytes(canonical_json(value) + b"\n")
    assert expected in places(verify_log(bundle))


def test_missing_unlisted_and_torn_files(bundle: Path) -> None:
    (bundle / "proofs" / "extra.bin").write_bytes(b"x")
    with (bundle / "steps.jsonl").open("ab") as handle:
        handle.write(b'{"chunks":')
    text = places(verify_log(bundle))
    assert "proofs/extra.bin: present in the bundle but not listed" in text
    assert "steps.jsonl line 7: torn last line" in text
    (bundle / "epochs.json").unlink()
    assert "epochs.json: listed in the manifest but missing" in places(verify_log(bundle))


def test_a_non_canonical_manifest_is_refused(bundle: Path) -> None:
    value = json.loads((bundle / "manifest.json").read_bytes())
    (bundle / "manifest.json").write_text(json.dumps(value, indent=1))
    assert "not in canonical form" in places(verify_log(bundle))


def test_cli_exit_codes_and_json(pristine: Path, bundle: Path, tmp_path: Path) -> None:
    ok = subprocess.run(
        [str(ZKAG), "log", "verify", str(pristine), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stdout
    assert json.loads(ok.stdout)["ok"] is True
    write_lines(bundle, lines(bundle)[:-1])
    bad = subprocess.run(
        [str(ZKAG), "log", "verify", str(bundle)], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 1
    assert "problem manifest.json log.records: says 6, the log gives 5" in bad.stdout
    assert "log NOT verified" in bad.stdout
    missing = subprocess.run(
        [str(ZKAG), "log", "verify", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"error: {tmp_path / 'nope'}: not a directory"
