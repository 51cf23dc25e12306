"""benchmarks/app_load.py: bounded in sessions and time, and a real run against the served app with tiny models."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "benchmarks" / "app_load.py"

pytest.importorskip("streamlit")
pytest.importorskip("websockets")


def _run(args: list[str], env: dict[str, str] | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sessions", "0"], "--sessions must be from 1 to 50"),
        (["--sessions", "51"], "--sessions must be from 1 to 50"),
        (["--rounds", "100"], "--rounds must be from 1 to 20"),
        (["--time-limit", "3600"], "--time-limit must be in (0, 600]"),
    ],
)
def test_the_load_is_bounded(args: list[str], message: str) -> None:
    result = _run(args, timeout=120)
    assert result.returncode == 2 and message in result.stderr


@pytest.mark.slow
def test_two_sessions_against_the_served_app(tiny_weights: Path, tiny_data: Path) -> None:
    env = {"GAN_ZOO_WEIGHTS": str(tiny_weights), "GAN_ZOO_DATA": str(tiny_data), "GAN_ZOO_HUB_REPO": ""}
    result = _run(["--sessions", "2", "--rounds", "1", "--time-limit", "200", "--json"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["errors"] == 0 and report["skipped"] == 0
    assert report["interactions"] == 2 * 6  # gallery, walk page, one walk, draw page, MNIST input, one digit
    assert set(report["by_interaction"]) == {
        "open gallery",
        "open latent-walk",
        "latent walk: new seeds",
        "open draw",
        "draw: MNIST input",
        "draw: next test digit",
    }
    assert 0 < report["p50_s"] <= report["p95_s"] <= report["max_s"]
    rss = report["server_rss_mb"]
    assert 0 < rss["before"] <= rss["peak"]
