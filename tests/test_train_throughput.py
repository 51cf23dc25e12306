"""benchmarks/train_throughput.py: one row per trainer, at the asked batch size, on the asked device."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "benchmarks" / "train_throughput.py"


def run_benchmark(data: Path, *argv: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "GAN_ZOO_DATA": str(data), "PYTHONPATH": str(REPO)}  # the caller's environment, tiny data
    return subprocess.run(
        [sys.executable, str(SCRIPT), *argv], capture_output=True, text=True, env=env, cwd=REPO, timeout=300
    )


def test_rows_report_the_asked_batch_and_device(tiny_data: Path) -> None:
    result = run_benchmark(
        tiny_data,
        "--only",
        "basic",
        "dcgan",
        "--steps",
        "10",
        "--variants",
        "fp32",
        "--batch-size",
        "16",
        "--threads",
        "1",
        "--device",
        "cpu",
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "device cpu" in lines[0]
    rows = [line for line in lines if line.startswith(("| basic |", "| dcgan |"))]
    assert [row.split(" | ")[1] for row in rows] == ["16", "16"]
    assert all(float(row.split(" | ")[2].rstrip(" |")) > 0 for row in rows)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_cuda_without_a_gpu_is_one_line_and_exit_2(tiny_data: Path) -> None:
    result = run_benchmark(tiny_data, "--only", "basic", "--device", "cuda")
    assert result.returncode == 2
    assert "no CUDA device" in result.stderr and "Traceback" not in result.stderr
