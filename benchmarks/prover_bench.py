"""Benchmark: the naive Adam step circuit against zkag's, at the same memory budget (logrows).

Run: ``make bench`` (or ``.venv/bin/python benchmarks/prover_bench.py --logrows 17``).

Naive: the seed prototype's straight export of Adam (bias corrections and lr as constants),
with the pre-scaling it needs to run at all (g, m by K = 2^14, v by K^2), at scale 28 with
4 legs of 2^14 (shared/notes/ezkl.md). zkag: prover/circuits.py (scale 32, 5 legs, K = 2^10,
hyperparameters as a hashed input). Both use hashed inputs and outputs, as zkag's log needs.
For each circuit the chunk size is the largest that fits 2^logrows rows. Each measurement
runs in its own child process: EZKL is isolated, and its peak memory is the child's.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

B1, B2, EPS, LR, T = 0.9, 0.999, 1e-8, 1e-3, 10


def reference(w, g, m, v):  # float64 Adam, unscaled
    import torch

    m1 = B1 * m + (1 - B1) * g
    v1 = B2 * v + (1 - B2) * g * g
    return w - LR * (m1 / (1 - B1**T)) / (torch.sqrt(v1 / (1 - B2**T)) + EPS)


def sample(d: int):
    import torch

    gen = torch.Generator().manual_seed(1)
    w = torch.randn(1, d, generator=gen, dtype=torch.float64) * 0.1
    g = torch.randn(1, d, generator=gen, dtype=torch.float64) * 1e-3
    m = torch.randn(1, d, generator=gen, dtype=torch.float64) * 1e-3
    v = torch.rand(1, d, generator=gen, dtype=torch.float64) * 1e-6
    return w, g, m, v


def build(kind: str, d: int, logrows: int, folder: Path) -> tuple[list, object]:
    """Export the circuit for D=d and write settings; return (inputs, run args)."""
    import ezkl
    import torch

    from prover.circuits import AdamStep, CircuitConfig, step_hyperparameters

    w, g, m, v = sample(d)
    args = ezkl.PyRunArgs()
    args.input_visibility = args.output_visibility = "hashed/public"
    args.param_visibility = "fixed"
    args.lookup_range = (-1, 1)
    args.logrows = logrows
    args.decomp_base = 2**14
    if kind == "naive":
        k = 2.0**14

        class NaiveAdam(torch.nn.Module):
            def forward(self, w, g, m, v):
                m1 = B1 * m + (1 - B1) * g
                v1 = B2 * v + (1 - B2) * g * g
                m_hat = m1 / (1 - B1**T)
                v_hat = v1 / (1 - B2**T)
                return w - LR * m_hat * torch.reciprocal(torch.sqrt(v_hat) + EPS * k), m1, v1

        module, inputs = NaiveAdam(), (w, g * k, m * k, v * k * k)
        args.input_scale = args.param_scale = 28
        args.decomp_legs = 4
    else:
        config = CircuitConfig(chunk_size=d, logrows=logrows)
        k = config.prescale
        h = step_hyperparameters(config, {"lr": repr(LR), "t": str(T), "eps": repr(EPS)})
        module = AdamStep(B1, B2)
        inputs = (w, g * k, m * k, v * k * k, torch.tensor([h], dtype=torch.float64))
        args.input_scale = args.param_scale = config.scale_bits
        args.decomp_legs = config.decomp_legs
    onnx = folder / "c.onnx"
    names = [f"i{i}" for i in range(len(inputs))]
    torch.onnx.export(module, inputs, str(onnx), input_names=names, dynamo=False, opset_version=17)
    (folder / "input.json").write_text(
        json.dumps({"input_data": [x.flatten().tolist() for x in inputs]})
    )
    assert ezkl.gen_settings(str(onnx), str(folder / "settings.json"), py_run_args=args)
    return [w, g, m, v], args


def rows(kind: str, d: int, logrows: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        build(kind, d, logrows, Path(tmp))
        return json.loads((Path(tmp) / "settings.json").read_text())["num_rows"]


def measure(kind: str, d: int, logrows: int, srs: str) -> dict:
    """In a child process: compile, setup, witness, mock, prove, verify; accuracy of w1."""
    import ezkl
    import torch

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (w, g, m, v), _ = build(kind, d, logrows, folder)
        settings = json.loads((folder / "settings.json").read_text())
        s = {
            name: str(folder / name)
            for name in (
                "c.onnx",
                "c.ezkl",
                "settings.json",
                "input.json",
                "w.json",
                "pk",
                "vk",
                "p.json",
            )
        }
        assert ezkl.compile_circuit(s["c.onnx"], s["c.ezkl"], s["settings.json"])
        t0 = time.perf_counter()
        assert ezkl.setup(s["c.ezkl"], s["vk"], s["pk"], srs)
        setup = time.perf_counter() - t0
        ezkl.gen_witness(s["input.json"], s["c.ezkl"], s["w.json"])
        ezkl.mock(s["w.json"], s["c.ezkl"])
        t0 = time.perf_counter()
        ezkl.prove(s["w.json"], s["c.ezkl"], s["pk"], s["p.json"], srs)
        prove = time.perf_counter() - t0
        assert ezkl.verify(s["p.json"], s["settings.json"], s["vk"], srs)
        witness = json.loads((folder / "w.json").read_text())
        scale = settings["model_output_scales"][0]
        w1 = torch.tensor(
            [ezkl.felt_to_float(f, scale) for f in witness["outputs"][0]], dtype=torch.float64
        )
        expected = reference(w, g, m, v).flatten()
        error = (w1 - expected).abs()
        update = (expected - w.flatten()).abs()
        return {
            "kind": kind,
            "D": d,
            "logrows": logrows,
            "rows": settings["num_rows"],
            "setup_s": setup,
            "prove_s": prove,
            "pk_mb": os.path.getsize(s["pk"]) / 2**20,
            "peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
            "max_abs_err": error.max().item(),
            "median_rel_err": (error / update).median().item(),
        }


def largest_chunk(kind: str, logrows: int) -> int:
    budget = 2**logrows - 1024  # room for blinding rows
    d = max(8, int(64 * budget / rows(kind, 64, logrows)))
    while rows(kind, d, logrows) > budget:
        d -= max(1, d // 50)
    return d


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logrows", type=int, default=17)
    parser.add_argument("--child", nargs=3, metavar=("KIND", "D", "SRS"), help=argparse.SUPPRESS)
    parser.add_argument("--size-of", metavar="KIND", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.size_of:
        print(largest_chunk(args.size_of, args.logrows), flush=True)
        os._exit(0)
    if args.child:
        kind, d, srs = args.child
        print(json.dumps(measure(kind, int(d), args.logrows, srs)), flush=True)
        os._exit(0)  # EZKL can crash at interpreter exit; the result is already printed

    from rich.console import Console
    from rich.table import Table

    from prover.artifacts import SrsChoice
    from prover.workers import ProverPool

    with ProverPool(1) as pool:
        srs = str(pool.submit("resolve_srs", SrsChoice("dev"), args.logrows).result()[0])
    results = []
    for kind in ("naive", "zkag"):
        d = _in_child_largest(kind, args.logrows)
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--logrows",
                str(args.logrows),
                "--child",
                kind,
                str(d),
                srs,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        line = next((x for x in out.stdout.splitlines() if x.startswith("{")), None)
        if line is None:
            raise SystemExit(f"{kind} failed:\n{out.stderr[-3000:]}")
        results.append(json.loads(line))
    table = Table(
        title=f"Adam step circuits at logrows {args.logrows} (dev SRS), hashed inputs and outputs",
        title_justify="left",
    )
    columns = [
        "circuit",
        "D",
        "rows/param",
        "setup s",
        "prove s",
        "ms/param",
        "params/s",
        "pk MB",
        "peak GB",
        "max abs err",
        "median rel err",
    ]
    for column in columns:
        table.add_column(column, justify="right")
    for r in results:
        table.add_row(
            r["kind"],
            str(r["D"]),
            f"{r['rows'] / r['D']:.0f}",
            f"{r['setup_s']:.1f}",
            f"{r['prove_s']:.1f}",
            f"{1000 * r['prove_s'] / r['D']:.1f}",
            f"{r['D'] / r['prove_s']:.1f}",
            f"{r['pk_mb']:.0f}",
            f"{r['peak_gb']:.2f}",
            f"{r['max_abs_err']:.1e}",
            f"{r['median_rel_err']:.1e}",
        )
    naive, mine = results
    ratio = (mine["D"] / mine["prove_s"]) / (naive["D"] / naive["prove_s"])
    console = Console(width=160)
    console.print(table)
    console.print(f"throughput zkag / naive: {ratio:.2f}x (goal >= 2x, stretch 4x)")


def _in_child_largest(kind: str, logrows: int) -> int:
    out = subprocess.run(
        [sys.executable, __file__, "--logrows", str(logrows), "--size-of", kind],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [x for x in out.stdout.splitlines() if x.strip().isdigit()]
    if not lines:
        raise SystemExit(f"sizing {kind} failed:\n{out.stderr[-3000:]}")
    return int(lines[-1])


if __name__ == "__main__":
    main()
