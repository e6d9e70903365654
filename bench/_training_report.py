"""The report of bench/training.py: summaries of the timed runs, the text report, the rows of
issue 3's targets with their verdicts, and the README's markdown tables (``--markdown``).
bench/README.md ("Reading the table") explains the columns.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess

import numpy as np
from _training_common import BATCH_W3, N_W3, REPO, SPE, WIDE

# (workload label, kerasx competitor, reference competitor, target ratio or None)
TARGETS = [
    ("W1 epoch", "kerasx-numpy", "hand-numpy", 1.15),
    ("W1 epoch", "kerasx-jax", "hand-jax", 1.0),
    ("W1 epoch", "kerasx-jax", "keras-jax", None),
    ("W1 epoch", "kerasx-jax", "torch", None),
    ("W1 epoch", "kerasx-numpy", "torch", None),
    ("W1-predict", "kerasx-numpy", "hand-numpy", None),
    ("W1-predict", "kerasx-jax", "hand-jax", None),
    ("W1-predict", "kerasx-jax", "keras-jax", None),
    ("W3 step", "kerasx-numpy", "hand-numpy", 1.3),
    ("W3 step", "kerasx-jax", "hand-jax", 1.05),
    ("W3 step", "kerasx-jax spe=10", "hand-jax", 1.05),
    ("W3 step", "kerasx-jax", "keras-jax", None),
    ("W3 step", "kerasx-jax spe=10", "keras-jax spe=10", None),
]


def _median(xs: list[float]) -> float:
    return statistics.median(xs)


def machine_info() -> dict:
    info = {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
    try:
        info["kerasx commit"] = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO
        ).stdout.strip()
    except OSError:
        pass
    import importlib.metadata as md

    for pkg in ("jax", "jaxlib", "optax", "keras", "torch"):
        try:
            info[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            info[pkg] = "missing"
    return info


W3_STEPS = -(-N_W3 // BATCH_W3)


def _display_key(raw_key: str) -> tuple[str, float]:
    """'w3 kerasx-jax' -> ('W3 step kerasx-jax', 1/steps): the row label and a scale."""
    kind, rest = raw_key.split(" ", 1)
    if kind == "w3":
        return f"W3 step {rest}", 1.0 / W3_STEPS
    if kind == "w1":
        return f"W1 epoch {rest}", 1.0
    return f"W1-predict {rest}", 1.0


def summarize(times: dict) -> tuple[dict, dict, list[tuple]]:
    """Wall and CPU medians per row, and the target rows (label, kx, ref, a, b, ratio, ...)."""
    med: dict[str, float] = {}
    cpu: dict[str, float] = {}
    low: dict[str, float] = {}
    for key, xs in times.items():
        if key.startswith("cpu "):
            label, scale = _display_key(key[4:])
            cpu[label] = _median(xs) * scale
        else:
            label, scale = _display_key(key)
            med[label] = _median(xs) * scale
            low[label] = min(xs) * scale
    rows = []
    for label, kx, ref, target in TARGETS:
        a, b = med.get(f"{label} {kx}"), med.get(f"{label} {ref}")
        if a is None or b is None:
            continue
        ratio = a / b
        met = None if target is None else ratio <= target
        # Noise on a shared machine only adds time: the ratio of the fastest runs is a
        # second opinion next to the ratio of the medians.
        min_ratio = low[f"{label} {kx}"] / low[f"{label} {ref}"]
        rows.append((label, kx, ref, a, b, ratio, target, met, min_ratio))
    return med, cpu, rows


def _fmt_time(label: str, seconds: float) -> str:
    return f"{seconds * 1e3:.3f} ms" if label.startswith("W3") else f"{seconds:.3f} s"


def print_text(
    info, load, setups, times, losses, imports, import_raw, memory, med, cpu, rows, skipped
):
    print("\n=== kerasx training benchmarks (bench/training.py) ===")
    for k, v in info.items():
        print(f"{k:16s} {v}")
    print(f"load average     before {load[0]}  after {load[1]}")
    for name, why in skipped.items():
        print(f"SKIPPED {name}: {why}")

    print("\n-- loss check (W1 warm-up epoch from the same initial weights; W3 warm-up) --")
    ref = setups.get("hand-numpy", {}).get("w1_loss")
    for name, s in setups.items():
        flag = ""
        if ref is not None and abs(s["w1_loss"] - ref) > 0.02 * abs(ref) + 1e-3:
            flag = "  <-- DISAGREES with hand-numpy"
        w3 = f"  W3 {s['w3_loss']:.5f}" + (
            f" (spe={SPE}: {s['w3 spe_loss']:.5f})" if "w3 spe_loss" in s else ""
        )
        last = losses.get(name, [float("nan")])[-1]
        print(f"{name:14s} W1 {s['w1_loss']:.5f}  after all rounds {last:.5f}{w3}{flag}")
    print("\n-- predict check (first rows on the initial weights, max |diff| vs hand-numpy) --")
    head = setups.get("hand-numpy", {}).get("predict_head")
    for name, s in setups.items():
        diff = float(np.max(np.abs(np.array(s["predict_head"]) - np.array(head)))) if head else 0
        print(f"{name:14s} shape {s['predict_shape']}  max|diff| {diff:.2e}")

    print("\n-- timed runs: median wall time, median process CPU time (all threads), spread --")
    for raw_key in sorted(k for k in times if not k.startswith("cpu ")):
        key, scale = _display_key(raw_key)
        xs = [v * scale for v in times[raw_key]]
        print(
            f"{key:34s} {_fmt_time(key, med[key]):>10s}  cpu {_fmt_time(key, cpu[key]):>10s}"
            f"   (min {_fmt_time(key, min(xs))}, max {_fmt_time(key, max(xs))}, n={len(xs)})"
        )

    print("\n-- warm-up / compile (first call minus the median timed call) --")
    for name, s in setups.items():
        parts = [f"W1 first epoch {s['w1_first']:.3f}s"]
        if f"W1 epoch {name}" in med:
            parts.append(f"compile+first-call {s['w1_first'] - med[f'W1 epoch {name}']:+.3f}s")
        if f"W1-predict {name}" in med:
            parts.append(
                f"predict first {s['predict_first']:.3f}s "
                f"({s['predict_first'] - med[f'W1-predict {name}']:+.3f}s)"
            )
        if "w3 spe_first" in s:
            parts.append(f"W3 spe={SPE} first epoch {s['w3 spe_first']:.3f}s")
        print(f"{name:14s} " + ", ".join(parts))

    if imports:
        print("\n-- import (fresh processes, medians) --")
        for label, d in imports.items():
            print(
                f"{label:30s} import {d['import']:.3f}s  import+first op {d['first_op']:.3f}s"
                f"  jax loaded: {d['jax_loaded']}   raw {import_raw[label]}"
            )
    if memory:
        print(f"\n-- memory of one fit epoch (fresh processes, MiB; wide: hidden {WIDE}) --")
        for name, d in memory.items():
            parts = [f"baseline RSS {d.get('base_mb', 0):.1f}"]
            if "first_fit_mb" in d:
                parts.append(f"first fit peak +{d['first_fit_mb']:.1f}")
            if "second_fit_mb" in d:
                parts.append(f"second fit peak +{d['second_fit_mb']:.1f}")
            if "total_peak_mb" in d:
                parts.append(f"process peak {d['total_peak_mb']:.1f}")
            if "traced_peak_mb" in d:
                parts.append(
                    f"tracemalloc peak {d['traced_peak_mb']:.2f} (left at end {d['traced_end_mb']:.2f})"
                )
            print(f"{name:14s} " + ", ".join(parts))

    print("\n-- targets (ratio of medians; ratio of the fastest runs in brackets) --")
    for label, kx, ref, a, b, ratio, target, met, min_ratio in rows:
        verdict = "-" if met is None else ("met" if met else "NOT MET")
        tgt = f"<= {target:.2f}x" if target else "-"
        print(
            f"{label:11s} {kx:18s} {_fmt_time(label, a):>11s} vs {ref:16s} {_fmt_time(label, b):>11s}"
            f"  ratio {ratio:.3f} ({min_ratio:.3f})  target {tgt:9s} {verdict}"
        )


def extra_rows(imports: dict, memory: dict) -> list[tuple]:
    rows = []
    imp = imports.get("import kerasx (NumPy engine)")
    if imp:
        ref = imports.get("import keras (JAX backend)")
        rows.append(
            (
                "import kerasx (NumPy engine)",
                f"{imp['import']:.3f} s",
                f"{imp['import'] / ref['import']:.2f}x import keras (JAX)" if ref else "-",
                "<= 0.25 s",
                imp["import"] <= 0.25,
            )
        )
        rows.append(
            ("import kerasx + first op (NumPy)", f"{imp['first_op']:.3f} s", "-", "-", None)
        )
    for kx, ref in (("kerasx-numpy", "hand-numpy"), ("kerasx-jax", "hand-jax")):
        a, b = memory.get(kx), memory.get(ref)
        for label, suffix in (
            ("fit peak memory", ""),
            (f"fit peak memory, hidden {WIDE}", " wide"),
        ):
            ours, theirs = memory.get(kx + suffix), memory.get(ref + suffix)
            if ours and theirs and "first_fit_mb" in ours and "first_fit_mb" in theirs:
                ratio = ours["first_fit_mb"] / max(theirs["first_fit_mb"], 1e-9)
                rows.append(
                    (
                        f"{label} ({kx})",
                        f"+{ours['first_fit_mb']:.1f} MiB",
                        f"{ratio:.2f}x {ref} (+{theirs['first_fit_mb']:.1f} MiB)",
                        "<= 1.10x",
                        ratio <= 1.1,
                    )
                )
        if a and b and "second_fit_mb" in a and "second_fit_mb" in b:
            rows.append(
                (
                    f"second fit peak memory ({kx})",
                    f"+{a['second_fit_mb']:.1f} MiB",
                    f"{ref} +{b['second_fit_mb']:.1f} MiB",
                    "-",
                    None,
                )
            )
        if a and b and "traced_peak_mb" in a and "traced_peak_mb" in b:
            rows.append(
                (
                    f"fit tracemalloc peak ({kx})",
                    f"{a['traced_peak_mb']:.2f} MiB",
                    f"{ref} {b['traced_peak_mb']:.2f} MiB",
                    "-",
                    None,
                )
            )
    return rows


def print_extra(extra: list[tuple]) -> None:
    """Print the import and memory rows (see `extra_rows`) with their verdicts."""
    for label, value, vs, target, met in extra:
        verdict = "-" if met is None else ("met" if met else "NOT MET")
        print(f"{label:34s} {value:>12s}  {vs:40s} target {target:9s} {verdict}")


def print_markdown(rows, extra, med, load, info) -> None:
    def verdict(met):
        return "-" if met is None else ("yes" if met else "**no**")

    print(
        "\n| workload | kerasx | time | competitor | competitor time | ratio | ratio of minima "
        "| target | met? |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for label, kx, ref, a, b, ratio, target, met, min_ratio in rows:
        tgt = f"<= {target:.2f}x" if target else "-"
        print(
            f"| {label} | {kx} | {_fmt_time(label, a)} | {ref} | {_fmt_time(label, b)} | "
            f"{ratio:.3f} | {min_ratio:.3f} | {tgt} | {verdict(met)} |"
        )
    for label, value, vs, target, met in extra:
        print(f"| {label} | | {value} | | {vs} | | | {target} | {verdict(met)} |")
    print(
        f"\n{info['cpus']} CPUs, load average {load[0]} before and {load[1]} after; "
        f"kerasx {info.get('kerasx commit', '?')}, jax {info['jax']}, keras {info['keras']}, "
        f"torch {info['torch']}, numpy {info['numpy']}."
    )
    print("\n| competitor | W1 epoch | W1-predict | W3 step |")
    print("|---|---|---|---|")
    names = sorted({k.split(" ", 2)[2] for k in med if k.startswith("W1 epoch")})
    for name in names:
        cells = [
            _fmt_time("W1", med[f"W1 epoch {name}"]),
            _fmt_time("W1", med[f"W1-predict {name}"]) if f"W1-predict {name}" in med else "-",
            _fmt_time("W3", med[f"W3 step {name}"]) if f"W3 step {name}" in med else "-",
        ]
        print(f"| {name} | " + " | ".join(cells) + " |")
        spe = f"W3 step {name} spe={SPE}"
        if spe in med:
            print(f"| {name} spe={SPE} | - | - | {_fmt_time('W3', med[spe])} |")
