"""Plotly figures of what a model folder records (training curves, the CycleGAN λ trade-off, label flips) and of
what the live pages compute (a live training's scores, an optimal-transport plan).

Figures, not pages: the Streamlit and Gradio front ends both show them, and tests can read their data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

CURVE_GROUPS = {  # title → which logged keys it draws; the rest of the numeric keys go to "Other terms"
    "Losses": lambda k: k.startswith("loss") or k in {"adversarial", "cycle", "identity"},
    "D(real) and D(fake)": lambda k: k in {"d_real", "d_fake"},
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


def lambda_tradeoff(
    rows: Sequence[dict[str, Any]], title: str = "", others: Mapping[str, dict[str, Any]] | None = None
) -> go.Figure:
    """Label preservation (%) and cycle L1 error against λ, on two y axes: identity kept vs. style followed.

    ``rows`` are the λ sweep (lines); ``others`` (label → row) are translators trained with another objective,
    drawn as single labelled markers at their λ so that they compare with the sweep without joining its lines.
    """
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
    for label, row in (others or {}).items():
        x = [row["lambda_cycle"]]
        star = {"symbol": "star", "size": 12}
        kept_other = [_pct(row.get("label_preservation_mnist_to_usps"))]
        fig.add_trace(
            go.Scatter(x=x, y=kept_other, mode="markers", marker=star, name=f"{label}: labels kept M→U (%)"),
            secondary_y=False,
        )
        star_open = {**star, "symbol": "star-open"}
        l1_other = [row.get("cycle_l1_mnist")]
        fig.add_trace(
            go.Scatter(x=x, y=l1_other, mode="markers", marker=star_open, name=f"{label}: cycle L1 (MNIST)"),
            secondary_y=True,
        )
    ticks = sorted({*lams, *(r["lambda_cycle"] for r in (others or {}).values())})
    fig.update_xaxes(title_text="λ (cycle-consistency weight)", tickvals=ticks)
    fig.update_yaxes(title_text="labels kept (%)", range=[0, 100], secondary_y=False)
    # Rounded tick labels: plotly's own would print float noise (0.15000000000000002) on this axis.
    fig.update_yaxes(
        title_text="cycle L1 error ([-1, 1] scale)", rangemode="tozero", tickformat=".3~f", secondary_y=True
    )
    fig.update_layout(title=title, height=380, margin={"t": 50, "b": 40, "l": 50, "r": 50})
    return fig


def confusion_heatmap(confusion: Sequence[Sequence[int]], title: str = "", read_by: str = "classifier") -> go.Figure:
    """Row-normalised confusion matrix (% of each true digit) as a heatmap: label flips stand out off the diagonal."""
    shares = [[100 * c / max(sum(row), 1) for c in row] for row in confusion]
    digits = list(range(len(confusion)))
    fig = go.Figure(
        go.Heatmap(
            z=shares,
            x=digits,
            y=digits,
            zmin=0,
            zmax=100,
            colorscale="Blues",
            text=[[f"{v:.0f}" if v >= 0.5 else "" for v in row] for row in shares],
            texttemplate="%{text}",
            hovertemplate="digit %{y} read as %{x}: %{z:.1f} %<extra></extra>",
            colorbar={"title": "% of digit"},
        )
    )
    fig.update_xaxes(title_text=f"read as ({read_by})", tickvals=digits, side="top")
    fig.update_yaxes(title_text="true digit", tickvals=digits, autorange="reversed")
    fig.update_layout(title=title, height=420, margin={"t": 90, "b": 20, "l": 50, "r": 20})
    return fig


def trade_off_figures(
    sweep: Sequence[dict[str, Any]], others: Mapping[str, dict[str, Any]], flips: Mapping[str, dict[str, Any]]
) -> tuple[go.Figure | None, dict[str, go.Figure]]:
    """The λ page's figures, built once: the trade-off chart (None without rows) and, per translator label, the
    heatmap of its label flips (rows holding ``confusion_mnist_to_usps`` and ``name``, as ``zoo.translation``
    gives them). Building a figure validates every value (10 to 30 ms each): a server keeps them."""
    chart = lambda_tradeoff(sweep, others=others) if sweep or others else None
    heatmaps = {
        label: confusion_heatmap(
            row["confusion_mnist_to_usps"], f"{row['name']}: MNIST digit x → digit read in G(x)", "USPS classifier"
        )
        for label, row in flips.items()
    }
    return chart, heatmaps


def live_scores(scores: Sequence[dict[str, Any]]) -> go.Figure:
    """A live training's quick Inception Score against the step, beside the class histogram of its last samples
    (a collapsing generator piles onto a few digits)."""
    fig = make_subplots(rows=1, cols=2, column_widths=[0.6, 0.4], subplot_titles=("Inception Score", "Digits drawn"))
    fig.add_trace(
        go.Scatter(
            x=[r["step"] for r in scores], y=[r["inception_score"] for r in scores], mode="lines+markers", name="IS"
        ),
        row=1,
        col=1,
    )
    last = scores[-1] if scores else {}
    shares = [100 * last.get(f"digit_{d}", 0.0) for d in range(10)]
    fig.add_trace(go.Bar(x=list(range(10)), y=shares, name="% of samples", marker_color="#ff7f0e"), row=1, col=2)
    fig.update_xaxes(title_text="step", row=1, col=1)
    fig.update_xaxes(title_text="digit read", tickvals=list(range(10)), row=1, col=2)
    fig.update_yaxes(range=[1, 10], row=1, col=1)
    fig.update_yaxes(range=[0, 100], title_text="%", row=1, col=2)
    fig.update_layout(height=320, showlegend=False, margin={"t": 50, "b": 40, "l": 50, "r": 20})
    return fig


def transport_plan(cost: Any, plan: Any, epsilon: float) -> go.Figure:
    """The cost matrix and the transport plan side by side (rows: real digits, columns: generated ones); the plan
    in % of each real digit's mass, so that a one-to-one matching reads 100 on one cell per row."""
    n = len(plan)
    share = [[100 * n * float(v) for v in row] for row in plan]
    labels = [str(i + 1) for i in range(n)]
    fig = make_subplots(
        rows=1, cols=2, subplot_titles=("Cost 1 − cos", f"Plan at ε = {epsilon:g} (% of each real digit's mass)")
    )
    fig.add_trace(
        go.Heatmap(
            z=[[float(v) for v in row] for row in cost],
            x=labels,
            y=labels,
            colorscale="Viridis",
            showscale=False,
            hovertemplate="real %{y} → generated %{x}: cost %{z:.3f}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Heatmap(
            z=share,
            x=labels,
            y=labels,
            zmin=0,
            zmax=100,
            colorscale="Oranges",
            hovertemplate="real %{y} → generated %{x}: %{z:.1f} %<extra></extra>",
            colorbar={"title": "%"},
        ),
        row=1,
        col=2,
    )
    fig.update_xaxes(title_text="generated digit")
    fig.update_yaxes(title_text="real digit", autorange="reversed")
    fig.update_layout(height=420, margin={"t": 50, "b": 40, "l": 50, "r": 20})
    return fig


def _pct(x: float | None) -> float | None:
    return None if x is None else 100 * x


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


SWEEP_SERIES = (  # (key, label, colour, which panel)
    ("label_preservation_mnist_to_usps", "labels kept M→U", "#1f77b4", 0),
    ("label_preservation_usps_to_mnist", "labels kept U→M", "#ff7f0e", 0),
    ("adaptation_accuracy", "adaptation accuracy", "#2ca02c", 0),
    ("cycle_l1_mnist", "cycle L1, MNIST", "#1f77b4", 1),
    ("cycle_l1_usps", "cycle L1, USPS", "#ff7f0e", 1),
)
SWEEP_DASH = ("", ' stroke-dasharray="4 2"')  # per panel: accuracies solid, cycle errors dashed


def lambda_sweep_svg(rows: Sequence[dict[str, Any]]) -> str:
    """A static two-panel chart of the λ sweep (accuracies in %, cycle errors) for the README, where plotly can't go.

    Plain SVG text, so the README needs no image-export dependency and the chart diffs like the tables do.
    """
    rows = sorted((r for r in rows if _is_number(r.get("lambda_cycle"))), key=lambda r: r["lambda_cycle"])
    if not rows:
        raise ValueError("no CycleGAN rows with a lambda_cycle to chart")
    lams = [float(r["lambda_cycle"]) for r in rows]
    width, height, pad_l, pad_r, pad_t, pad_b, gap = 760, 300, 48, 12, 28, 74, 56
    panel_w = (width - pad_l - pad_r - gap) / 2
    plot_h = height - pad_t - pad_b
    x_lo, x_hi = min(lams), max(lams) if max(lams) > min(lams) else min(lams) + 1
    panels = []  # (low, high) of each panel's y axis
    for p in (0, 1):
        values = [_sweep_value(r, k, p) for k, _, _, q in SWEEP_SERIES if q == p for r in rows if _is_number(r.get(k))]
        if p == 0:
            panels.append((min([*values, 100.0]) // 10 * 10, 100.0))
        else:
            panels.append((0.0, 1.1 * max([*values, 1e-3])))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
    ]
    titles = ("accuracy (%) ↑", "cycle L1 error ([-1, 1] scale) ↓")
    for p, (lo, hi) in enumerate(panels):
        x0 = pad_l + p * (panel_w + gap)

        def sx(v: float, x0: float = x0) -> float:
            return x0 + (v - x_lo) / (x_hi - x_lo) * panel_w

        def sy(v: float, lo: float = lo, hi: float = hi) -> float:
            return pad_t + (1 - (v - lo) / (hi - lo)) * plot_h

        out.append(f'<text x="{x0}" y="{pad_t - 10}" font-weight="bold">{titles[p]}</text>')
        out.append(f'<rect x="{x0}" y="{pad_t}" width="{panel_w}" height="{plot_h}" fill="none" stroke="#999"/>')
        for i in range(5):
            v = lo + (hi - lo) * i / 4
            out.append(f'<line x1="{x0}" x2="{x0 + panel_w}" y1="{sy(v):.1f}" y2="{sy(v):.1f}" stroke="#eee"/>')
            label = f"{v:.0f}" if p == 0 else f"{v:.3f}"
            out.append(f'<text x="{x0 - 4}" y="{sy(v) + 4:.1f}" text-anchor="end">{label}</text>')
        for lam in lams:
            out.append(f'<text x="{sx(lam):.1f}" y="{pad_t + plot_h + 14}" text-anchor="middle">{lam:g}</text>')
        out.append(f'<text x="{x0 + panel_w / 2}" y="{pad_t + plot_h + 30}" text-anchor="middle">λ</text>')
        for key, _label, colour, q in SWEEP_SERIES:
            if q != p:
                continue
            pts = [(sx(float(r["lambda_cycle"])), sy(_sweep_value(r, key, p))) for r in rows if _is_number(r.get(key))]
            if not pts:
                continue
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
            out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{SWEEP_DASH[p]}/>')
            out += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in pts]
    legend_y, x = height - 18, pad_l
    for _key, label, colour, q in SWEEP_SERIES:
        out.append(
            f'<line x1="{x}" x2="{x + 18}" y1="{legend_y - 4}" y2="{legend_y - 4}" stroke="{colour}" '
            f'stroke-width="2"{SWEEP_DASH[q]}/>'
        )
        out.append(f'<text x="{x + 22}" y="{legend_y}">{label}</text>')
        x += 30 + 6.5 * len(label)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _sweep_value(row: dict[str, Any], key: str, panel: int) -> float:
    return _pct(float(row[key])) if panel == 0 else float(row[key])
