"""Plotly figures of what a model folder records: training curves and the CycleGAN λ trade-off.

Figures, not pages: the Streamlit and Gradio front ends both show them, and tests can read their data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

CURVE_GROUPS = {  # title → which logged keys it draws; the rest of the numeric keys go to "Other terms"
    "Losses": lambda k: k.startswith("loss") or k in {"adversarial", "cycle", "identity"},
    "Critic's Wasserstein estimate": lambda k: k == "wasserstein",
    "Throughput (images/s)": lambda k: k == "images_per_s",
}
NOT_CURVES = {"step", "wall_time"}


def curve_groups(log: Sequence[dict[str, Any]]) -> dict[str, list[str]]:
    """Logged keys per chart title, in first-seen order; empty groups are dropped."""
    keys: list[str] = []
    for record in log:
        keys += [k for k, v in record.items() if k not in keys and k not in NOT_CURVES and _is_number(v)]
    groups: dict[str, list[str]] = {title: [k for k in keys if test(k)] for title, test in CURVE_GROUPS.items()}
    grouped = {k for ks in groups.values() for k in ks}
    groups["Other terms"] = [k for k in keys if k not in grouped]
    return {title: ks for title, ks in groups.items() if ks}


def training_curves(log: Sequence[dict[str, Any]]) -> dict[str, go.Figure]:
    """One line chart per group of logged values against the training step."""
    figures = {}
    for title, keys in curve_groups(log).items():
        fig = go.Figure()
        for key in keys:
            points = [(r["step"], r[key]) for r in log if _is_number(r.get(key))]
            fig.add_trace(go.Scatter(x=[p[0] for p in points], y=[p[1] for p in points], mode="lines", name=key))
        fig.update_layout(title=title, xaxis_title="step", height=320, margin={"t": 50, "b": 40, "l": 50, "r": 20})
        figures[title] = fig
    return figures


def lambda_tradeoff(rows: Sequence[dict[str, Any]], title: str = "") -> go.Figure:
    """Label preservation (%) and cycle L1 error against λ, on two y axes: identity kept vs. style followed."""
    rows = sorted(rows, key=lambda r: r["lambda_cycle"])
    lams = [r["lambda_cycle"] for r in rows]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    kept = [_pct(r.get("label_preservation_mnist_to_usps")) for r in rows]
    fig.add_trace(go.Scatter(x=lams, y=kept, mode="lines+markers", name="labels kept M→U (%)"), secondary_y=False)
    if any(r.get("label_preservation_usps_to_mnist") is not None for r in rows):
        back = [_pct(r.get("label_preservation_usps_to_mnist")) for r in rows]
        fig.add_trace(go.Scatter(x=lams, y=back, mode="lines+markers", name="labels kept U→M (%)"), secondary_y=False)
    l1 = [r.get("cycle_l1_mnist") for r in rows]
    fig.add_trace(
        go.Scatter(x=lams, y=l1, mode="lines+markers", name="cycle L1 error (MNIST)", line={"dash": "dot"}),
        secondary_y=True,
    )
    fig.update_xaxes(title_text="λ (cycle-consistency weight)", tickvals=lams)
    fig.update_yaxes(title_text="labels kept (%)", range=[0, 100], secondary_y=False)
    fig.update_yaxes(title_text="cycle L1 error ([-1, 1] scale)", rangemode="tozero", secondary_y=True)
    fig.update_layout(title=title, height=380, margin={"t": 50, "b": 40, "l": 50, "r": 50})
    return fig


def _pct(x: float | None) -> float | None:
    return None if x is None else 100 * x


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)
