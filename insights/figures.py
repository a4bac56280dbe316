"""Plotly charts from the rows of `insights.queries`: titles, axis labels with units, formatted numbers.

Every builder returns an empty-state figure (a message instead of axes)
when it has nothing to draw, so no chart is ever a blank frame.
"""
from __future__ import annotations

from typing import Any, Optional

import plotly.graph_objects as go

REQUIRED, PREFERRED, LACK, HAVE = "#1f5f99", "#8fb8de", "#d9534f", "#5cb85c"
WORK_MODELS = (("remote_share", "Remote", "#1f5f99"), ("hybrid_share", "Hybrid", "#5aa0d8"),
               ("office_share", "Office-based", "#c7c7c7"), ("unspecified_share", "Not specified", "#ececec"))
EMPTY_HINT = "No listings match these filters. Clear a filter or widen the date range."


def _style(fig: go.Figure, title: str, x_title: str = "", y_title: str = "", height: int = 420) -> go.Figure:
    fig.update_layout(title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
                      template="plotly_white", height=height, margin={"l": 10, "r": 20, "t": 80, "b": 50},
                      separators=".,", legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0,
                                               "xanchor": "left", "traceorder": "normal"},
                      font={"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 12})
    fig.update_traces(cliponaxis=False, selector={"type": "bar"})  # value labels may stand past the last tick
    fig.update_xaxes(title_text=x_title, automargin=True)
    fig.update_yaxes(title_text=y_title, automargin=True)
    return fig


def empty_figure(title: str, message: str = EMPTY_HINT, height: int = 300) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                       font={"size": 14, "color": "#666"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _style(fig, title, height=height)


def _bar_height(n: int) -> int:
    return max(300, 26 * n + 130)


def demand_bars(demand: list[dict], title: str, empty: str = EMPTY_HINT) -> go.Figure:
    """Horizontal bars, most demanded on top: required and only-preferred listings stacked."""
    if not demand:
        return empty_figure(title, empty)
    shown = list(reversed(demand))
    skills = [r["skill"] for r in shown]
    share = [r["share"] for r in shown]
    fig = go.Figure([
        go.Bar(y=skills, x=[r["required"] for r in shown], orientation="h", name="Required", marker_color=REQUIRED,
               customdata=share, hovertemplate="%{y}: required in %{x:,} listings<extra></extra>"),
        go.Bar(y=skills, x=[r["preferred_only"] for r in shown], orientation="h", name="Preferred only",
               marker_color=PREFERRED, customdata=share,
               hovertemplate="%{y}: only preferred in %{x:,} listings<extra></extra>"),
        go.Scatter(y=skills, x=[r["listings"] for r in shown], mode="text", showlegend=False,
                   text=[f"  {r['share']:.0%}" for r in shown], textposition="middle right", hoverinfo="skip",
                   textfont={"size": 11, "color": "#444"}),
    ])
    fig.update_layout(barmode="stack")
    fig.update_xaxes(tickformat=",d", rangemode="tozero")
    return _style(fig, title, "Listings (count; label: share of matching listings)", "", _bar_height(len(shown)))


def trend_chart(trend: dict[str, Any]) -> go.Figure:
    """Share of listings naming the skill per period (line), with the matching listings per period (bars)."""
    title = f"{trend['skill']}: share of listings per {trend['bucket']} of ingestion"
    points = trend["points"]
    if not points:
        note = (f"None of the {trend['undated']:,} matching listings has an ingestion date."
                if trend["undated"] else EMPTY_HINT)
        return empty_figure(title, note)
    periods = [p["period"] for p in points]
    fig = go.Figure([  # the share on the overlaying axis, so the line is drawn over the bars
        go.Bar(x=periods, y=[p["listings"] for p in points], name="Matching listings (right axis)",
               marker_color="#dde7f0", hovertemplate="%{x|%d %b %Y}: %{y:,} listings<extra></extra>"),
        go.Scatter(x=periods, y=[p["share"] for p in points], name=f"Share naming {trend['skill']}", yaxis="y2",
                   mode="lines+markers", line={"color": REQUIRED, "width": 3},
                   customdata=[p["with_skill"] for p in points],
                   hovertemplate="%{x|%d %b %Y}: %{y:.1%} (%{customdata:,} listings)<extra></extra>"),
    ])
    _style(fig, title, f"Ingestion {trend['bucket']}")
    fig.update_layout(yaxis={"side": "right", "showgrid": False, "rangemode": "tozero", "tickformat": ",d",
                             "title": "Matching listings (count)"},
                      yaxis2={"overlaying": "y", "side": "left", "tickformat": ".0%", "range": [0, 1.05],
                              "tickmode": "linear", "tick0": 0, "dtick": 0.2, "title": "Share of listings (%)"})
    if trend["undated"]:
        fig.add_annotation(text=f"{trend['undated']:,} listings without an ingestion date are not shown",
                           xref="paper", yref="paper", x=1, y=1.08, showarrow=False, xanchor="right",
                           font={"size": 11, "color": "#666"})
    return fig


def pair_heatmap(pairs: dict[str, Any]) -> go.Figure:
    """Share of listings naming both skills, for the most demanded skills."""
    title = f"Skills that go together: share of listings naming both (top {len(pairs['skills'])} skills)"
    if not pairs["pairs"]:
        return empty_figure(title, EMPTY_HINT if not pairs["skills"] else "No two of these skills share a listing.")
    skills = pairs["skills"]
    index = {s: i for i, s in enumerate(skills)}
    z: list[list[Optional[float]]] = [[None] * len(skills) for _ in skills]
    for p in pairs["pairs"]:
        a, b = index[p["skill_a"]], index[p["skill_b"]]
        z[a][b] = z[b][a] = p["share"]
    fig = go.Figure(go.Heatmap(z=z, x=skills, y=skills, colorscale="Blues", zmin=0, hoverongaps=False,
                               colorbar={"title": "Share", "tickformat": ".0%"},
                               hovertemplate="%{y} + %{x}: %{z:.1%} of listings<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    return _style(fig, title, "Skill", "Skill", height=520)


def top_pairs(pairs: dict[str, Any], limit: int = 12) -> go.Figure:
    title = "Most frequent skill pairs"
    top = pairs["pairs"][:limit]
    if not top:
        return empty_figure(title)
    shown = list(reversed(top))
    labels = [f"{p['skill_a']} + {p['skill_b']}" for p in shown]
    fig = go.Figure(go.Bar(y=labels, x=[p["listings"] for p in shown], orientation="h", marker_color=REQUIRED,
                           text=[f"{p['share']:.0%}" for p in shown], textposition="outside",
                           hovertemplate="%{y}: %{x:,} listings (%{text})<extra></extra>"))
    fig.update_xaxes(tickformat=",d", rangemode="tozero")
    return _style(fig, title, "Listings naming both (count; label: share)", "", _bar_height(len(shown)))


def remote_by_location(found: list[dict]) -> go.Figure:
    title = "Work model by location (share of each location's listings)"
    if not found:
        return empty_figure(title)
    shown = list(reversed(found))
    labels = [f"{r['location']} ({r['listings']:,})" for r in shown]
    fig = go.Figure([go.Bar(y=labels, x=[r[key] for r in shown], orientation="h", name=name, marker_color=color,
                            hovertemplate=f"%{{y}}: %{{x:.0%}} {name.lower()}<extra></extra>")
                     for key, name, color in WORK_MODELS])
    fig.update_layout(barmode="stack")
    fig.update_xaxes(tickformat=".0%", range=[0, 1])
    return _style(fig, title, "Share of listings (%); in brackets: listings", "", _bar_height(len(shown)))


def experience_box(found: list[dict]) -> go.Figure:
    title = "Minimum experience asked, by seniority (years)"
    shown = [r for r in found if r["listings"]]
    if not shown:
        return empty_figure(title, "None of the matching listings states years of experience."
                            if found else EMPTY_HINT)
    fig = go.Figure(go.Box(
        x=[f"{r['seniority']} ({r['listings']:,})" for r in shown],
        q1=[r["q1"] for r in shown], median=[r["median"] for r in shown], q3=[r["q3"] for r in shown],
        lowerfence=[r["min"] for r in shown], upperfence=[r["max"] for r in shown],
        marker_color=REQUIRED, name="Years", hoverinfo="y"))
    fig.update_yaxes(rangemode="tozero", tickformat=",d")
    missing = sum(r["without_years"] for r in found)
    fig = _style(fig, title, "Seniority (listings stating years)", "Minimum experience (years)")
    if missing:
        fig.add_annotation(text=f"{missing:,} listings state no years and are not shown", xref="paper",
                           yref="paper", x=1, y=1.08, showarrow=False, xanchor="right",
                           font={"size": 11, "color": "#666"})
    return fig


def share_bars(found: list[dict], title: str, label: str = "benefit", empty: str = EMPTY_HINT) -> go.Figure:
    """Horizontal bars of listings per value, labelled with the share."""
    if not found:
        return empty_figure(title, empty)
    shown = list(reversed(found))
    fig = go.Figure(go.Bar(y=[r[label] for r in shown], x=[r["listings"] for r in shown], orientation="h",
                           marker_color=REQUIRED, text=[f"{r['share']:.0%}" for r in shown],
                           textposition="outside", hovertemplate="%{y}: %{x:,} listings (%{text})<extra></extra>"))
    fig.update_xaxes(tickformat=",d", rangemode="tozero")
    return _style(fig, title, "Listings (count; label: share of matching listings)", "", _bar_height(len(shown)))


def gap_bars(gap: Any) -> go.Figure:
    """The role's most demanded skills, green where the person has them, red where they lack them."""
    role = gap.role + (f" ({gap.seniority})" if gap.seniority else "")
    title = f"Most demanded skills for {role}"
    if not gap.demand:
        return empty_figure(title, f"No listing of {role} matches these filters.")
    shown = list(reversed(gap.demand))
    fig = go.Figure(go.Bar(
        y=[r["skill"] for r in shown], x=[r["share"] for r in shown], orientation="h",
        marker_color=[HAVE if r["have"] else LACK for r in shown],
        text=[("✓ you have it" if r["have"] else "✗ missing") + f" · {r['listings']:,} listings" for r in shown],
        textposition="auto", hovertemplate="%{y}: named in %{x:.0%} of the role's listings<extra></extra>"))
    fig.update_xaxes(tickformat=".0%", rangemode="tozero")
    return _style(fig, title, "Share of the role's listings naming the skill (%)", "", _bar_height(len(shown)))


def dead_letter_bars(dead: list[dict]) -> go.Figure:
    title = "Dead letters by stage and reason"
    if not dead:
        return empty_figure(title, "No dead letters: every listing read was extracted or was a duplicate.")
    shown = list(reversed(dead))
    fig = go.Figure(go.Bar(y=[f"{r['stage']} / {r['reason']}" for r in shown], x=[r["rows"] for r in shown],
                           orientation="h", marker_color=LACK, text=[f"{r['rows']:,}" for r in shown],
                           textposition="outside", hovertemplate="%{y}: %{x:,} rows<extra></extra>"))
    fig.update_xaxes(tickformat=",d", rangemode="tozero")
    return _style(fig, title, "Rows in extraction_errors (count)", "", _bar_height(len(shown)))
