"""Step records and statements: validation, round trips and the statement layout."""

from hashlib import sha256
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers.bundles import RUN_ID, adam, make_bundle, make_records
from zkag_protocol.bundle import RunBundle
from zkag_protocol.errors import FormatError, LogError
from zkag_protocol.records import OptimizerSpec, StepRecord
from zkag_protocol.statements import Statement


def test_record_round_trip_and_hash() -> None:
    record = make_records(1, 2)[0]
    line = record.encode()
    assert StepRecord.decode(line) == record
    assert record.hash() == sha256(line).digest()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda v: v.update(version=2), "record.version: expected 1"),
        (lambda v: v.update(extra=1), "unexpected ['extra']"),
        (lambda v: v.update(step=-1), "record.step: expected an integer >= 0"),
        (lambda v: v.update(run_id="AB" * 32), "record.run_id: expected 64 lowercase hex digits"),
        (lambda v: v["chunks"][1].update(index=5), "index is 5, expected 1"),
        (
            lambda v: v["chunks"][0]["inputs"].pop(),
            "3 input commitments for inputs ['w', 'g', 'm', 'v']",
        ),
        (
            lambda v: v["optimizer"]["hyperparameters"].update(lr="fast"),
            "expected a decimal string",
        ),
        (lambda v: v["optimizer"].update(inputs=["w", "w"]), "names repeat"),
        (lambda v: v.update(chunks=[]), "at least one chunk"),
    ],
)
def test_invalid_records_are_refused_with_the_place(edit, message: str) -> None:
    value = make_records(1, 2)[0].to_json()
    edit(value)
    with pytest.raises(FormatError, match=message.replace("[", r"\[").replace("]", r"\]")):
        StepRecord.from_json(value)


def test_floats_cannot_hide_in_hyperparameters() -> None:
    with pytest.raises(FormatError, match="decimal string"):
        OptimizerSpec(name="adam", hyperparameters={"lr": 0.001}, inputs=("w",), outputs=("w",))  # type: ignore[dict-item]


@given(
    step=st.integers(0, 2**64 - 1),
    chunk=st.integers(0, 2**32 - 1),
    instances=st.lists(st.binary(min_size=32, max_size=32), max_size=9),
)
def test_statement_layout_round_trips(step: int, chunk: int, instances: list[bytes]) -> None:
    statement = Statement(RUN_ID, step, chunk, b"\x05" * 32, tuple(instances))
    encoded = statement.encode()
    assert len(encoded) == 81 + 32 * len(instances)
    assert encoded[0] == 1
    assert encoded[1:33] == RUN_ID
    assert int.from_bytes(encoded[33:41], "big") == step
    assert int.from_bytes(encoded[41:45], "big") == chunk
    assert Statement.decode(encoded) == statement


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x01" * 10, "shorter than its 81-byte header"),
        (b"\x02" + bytes(80), "version 2"),
        (b"\x01" + bytes(79) + b"\x01", "must have 113 bytes"),
    ],
)
def test_bad_statements_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        Statement.decode(data)


def test_statement_instances_are_inputs_then_outputs() -> None:
    record = make_records(1, 1)[0]
    (statement,) = record.statements()
    assert statement.instances == (*record.chunks[0].inputs, *record.chunks[0].outputs)


def test_bundle_reopens_with_the_same_tree_and_epochs(tmp_path: Path) -> None:
    built = make_bundle(tmp_path / "run", steps=5, chunks=2, epoch_every=2)
    reopened = RunBundle.open(tmp_path / "run")
    assert reopened.tree.root() == built.tree.root()
    assert reopened.epochs == built.epochs
    assert reopened.record_ends == [2, 4, 6, 8, 10]
    epoch = reopened.close_epoch()  # record 4 was not in an epoch yet
    assert (epoch.number, epoch.records, epoch.tree_size) == (3, 5, 10)
    with pytest.raises(LogError, match="no records since epoch 3"):
        reopened.close_epoch()
    reopened.append(make_records(6, 2)[5])
    epoch = reopened.close_epoch()
    assert (epoch.number, epoch.records, epoch.tree_size) == (4, 6, 12)
    assert RunBundle.open(tmp_path / "run").epochs == reopened.epochs


def test_bundle_refuses_a_non_empty_dir_and_a_non_bundle(tmp_path: Path) -> None:
    (tmp_path / "x").write_text("keep")
    with pytest.raises(LogError, match="needs an empty directory"):
        RunBundle.create(tmp_path, run_id=RUN_ID)
    with pytest.raises(LogError, match="not a run bundle"):
        RunBundle.open(tmp_path)
    assert adam(0).hyperparameters["t"] == "1"
