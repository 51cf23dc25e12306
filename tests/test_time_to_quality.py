"""benchmarks/time_to_quality.py: a curve of measured points at the asked steps, and its plot names the settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "benchmarks" / "time_to_quality.py"


def run_benchmark(data: Path, out: Path) -> subprocess.CompletedProcess:
    argv = ["basic-gan", "--every-steps", "2", "--max-steps", "4", "--threads", "1", "--out", str(out)]
    env = {**os.environ, "GAN_ZOO_DATA": str(data), "PYTHONPATH": str(REPO)}  # the caller's environment, tiny data
    return subprocess.run(
        [sys.executable, str(SCRIPT), *argv, "--", "--batch-size", "8"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
    )


def test_curve_holds_measured_points_and_the_plot_names_the_run(tiny_data: Path, tmp_path: Path) -> None:
    result = run_benchmark(tiny_data, tmp_path / "curve")
    assert result.returncode == 0, result.stderr
    points = [json.loads(line) for line in (tmp_path / "curve" / "curve.jsonl").read_text().splitlines()]
    assert [p["step"] for p in points] == [0, 2, 4]
    assert [p["images_seen"] for p in points] == [0, 16, 32]
    # each point measures the generator as trained so far: 4 steps move its figures, each a real measurement
    assert points[0]["frechet_distance"] != points[-1]["frechet_distance"]
    assert all(p["frechet_distance"] > 0 and 1 <= p["inception_score"] <= 10 for p in points)
    first_line = result.stdout.splitlines()[0]
    assert first_line.startswith("train.basic ") and "--batch-size 8" in first_line
    assert first_line.endswith(("(1 thread, fp32)", "(1 thread, bf16)"))  # the precision auto picked here
    assert first_line.count("--precision") == 0  # the shipped run's bf16 is not imposed on this hardware
    svg = (tmp_path / "curve" / "curve.svg").read_text()
    assert "basic-gan: train.basic " in svg and "--batch-size 8" in svg


def test_refuses_to_overwrite_an_earlier_run(tiny_data: Path, tmp_path: Path) -> None:
    (tmp_path / "curve").mkdir()
    (tmp_path / "curve" / "checkpoint.pt").write_bytes(b"")
    result = run_benchmark(tiny_data, tmp_path / "curve")
    assert result.returncode != 0
    assert "holds an earlier run" in result.stderr
