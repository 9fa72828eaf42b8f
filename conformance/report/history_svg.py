"""Inline SVG for the history page: the time axis, one lane per broker, the fleet's trend rows.

Drawn here as plain strings because a chart library would bring a runtime or fetch scripts at
view time; these are a few shapes on a shared axis. Every chart is readable without colour: a
broker's verdict is a shape (●, ✕, △, ◇, □), MUST bars are solid and SHOULD bars hollow, drift is
a ▼ mark, and every point carries a <title> in words. The words come from the template (`words`),
so the page's texts stay in one translatable place.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from conformance.report.history_data import Audit, Broker, Drift, Point

# Marker per broker-run outcome: (symbol id, the shape drawn around (0, 0) with half-size s).
MARKERS: dict[str, str] = {
    "compliant": "m-ok",
    "not-compliant": "m-bad",
    "unreachable": "m-unr",
    "bad-profile": "m-prof",
    "error": "m-err",
}
LANE_H, TREND_H, AREA_H, AXIS_H = 46, 64, 24, 22


def outcome(point: Point) -> str:
    """The marker key of a point: compliant / not-compliant / unreachable / bad-profile / error."""
    if point.status == "ok":
        return "compliant" if point.compliant else "not-compliant"
    return point.status if point.status in MARKERS else "error"


@dataclass(frozen=True)
class Axis:
    """Audit index → x. Oldest audit on the left, newest on the right; one column per audit."""

    count: int
    step: int

    @classmethod
    def fit(cls, count: int, target_px: int = 960) -> Axis:
        # A column never narrower than a marker (6 px) nor much wider than one (36 px); a long
        # history scrolls sideways rather than squeezing its points together.
        return cls(count, max(6, min(36, target_px // max(count, 1))))

    @property
    def width(self) -> int:
        return max(self.count, 1) * self.step

    def x(self, index: int) -> int:
        return index * self.step + self.step // 2


def _svg(axis: Axis, height: int, body: str, label: str, cls: str) -> Markup:
    return Markup(
        f'<svg class="{cls}" width="{axis.width}" height="{height}" viewBox="0 0 {axis.width} {height}"'
        f' role="img" aria-label="{escape(label)}">{body}</svg>'
    )


def marker_size(axis: Axis) -> float:
    """Half the width of a marker: as large as the column allows, within 2.5 to 4.5 px."""
    return max(2.5, min(4.5, axis.step / 2 - 0.5))


def legend_box(axis: Axis) -> str:
    """The viewBox that shows one marker at full size in a legend's 12 px square."""
    r = marker_size(axis) + 1
    return f"{-r} {-r} {2 * r} {2 * r}"


def defs(axis: Axis) -> Markup:
    """The marker shapes, defined once per page and placed with <use>; sized to the column."""
    s = marker_size(axis)
    shapes = {
        "m-ok": f'<circle r="{s}" class="k-ok"/>',
        "m-bad": f'<path d="M{-s},{-s}L{s},{s}M{-s},{s}L{s},{-s}" class="k-bad"/>',
        "m-unr": f'<path d="M0,{-s}L{s},{s}L{-s},{s}Z" class="k-unr"/>',
        "m-prof": f'<path d="M0,{-s}L{s},0L0,{s}L{-s},0Z" class="k-prof"/>',
        "m-err": f'<rect x="{-s}" y="{-s}" width="{2 * s}" height="{2 * s}" class="k-err"/>',
        "m-drift": f'<path d="M{-s},{-s}L{s},{-s}L0,{s}Z" class="k-drift"/>',
    }
    body = "".join(f'<g id="{key}">{shape}</g>' for key, shape in shapes.items())
    return Markup(f'<svg class="defs" width="0" height="0" aria-hidden="true"><defs>{body}</defs></svg>')


def when(audit: Audit) -> str:
    """2024-06-01T02:30:00+00:00 → 2024-06-01 02:30 (audits are recorded in UTC)."""
    return audit.started_at[:16].replace("T", " ")


def axis_svg(axis: Axis, audits: Sequence[Audit], label: str) -> Markup:
    """Date ticks, spaced so that labels never overlap; the newest audit always labelled."""
    every = max(1, math.ceil(84 / axis.step))
    ticks = set(range(axis.count - 1, -1, -every))
    parts = []
    for audit in audits:
        if audit.index in ticks:
            x = axis.x(audit.index)
            # labels at the edges grow inwards so that none is cut off
            anchor = "end" if x > axis.width - 40 else ("start" if x < 40 else "middle")
            parts.append(
                f'<line x1="{x}" y1="15" x2="{x}" y2="{AXIS_H}" class="tick"/>'
                f'<text x="{x}" y="11" text-anchor="{anchor}">{audit.started_at[:10]}</text>'
            )
    return _svg(axis, AXIS_H, "".join(parts), label, "axis")


def _bars(axis: Axis, values: Mapping[int, int], top: int, base: int, scale: int, offset: int, width: int) -> str:
    """One path for a whole bar series: a bar per audit with a value, scaled to `scale`."""
    room = base - top
    out = []
    for index, value in values.items():
        if value > 0:
            h = max(1, round(value * room / scale))
            out.append(f"M{axis.x(index) + offset},{base}v{-h}h{width}v{h}z")
    return "".join(out)


def broker_lane(
    axis: Axis,
    audits: Sequence[Audit],
    broker: Broker,
    drift: Sequence[Drift],
    words: Mapping[str, str],
    href: Callable[[Point], str | None],
) -> Markup:
    """A broker's course: its outcome per audit (a shape, linked to that audit's report when it is
    on disk), capability drift marks, and its MUST (solid) and SHOULD (hollow) failures as bars."""
    status_y, drift_y, top, base = 7, 18, 24, LANE_H - 2
    # MUST and SHOULD bars stand side by side in the column, on one scale per broker
    scale = max([max(p.must, p.should) for p in broker.points] + [1])
    half = max(1, axis.step // 2 - 1)
    must = _bars(axis, {p.audit: p.must for p in broker.points}, top, base, scale, -half, half)
    should = _bars(axis, {p.audit: p.should for p in broker.points}, top, base, scale, 0, half)
    parts = [
        f'<line x1="0" y1="{base}" x2="{axis.width}" y2="{base}" class="base"/>',
        f'<path class="bar-must" d="{must}"/>',
        f'<path class="bar-should" d="{should}"/>',
    ]
    # The outcome row is one group at its height, so each point carries only its x.
    parts.append(f'<g transform="translate(0,{status_y})">')
    for p in broker.points:
        key = outcome(p)
        tip = f"{when(audits[p.audit])} · {words[key]}"
        if p.must:
            tip += f" · {p.must} {words['must_failed']}"
        if p.should:
            tip += f" · {p.should} {words['should_warned']}"
        if p.reason:
            tip += f" · {p.reason}"
        mark = f'<use href="#{MARKERS[key]}" x="{axis.x(p.audit)}"><title>{escape(tip, quote=False)}</title></use>'
        link = href(p)
        parts.append(f'<a href="{escape(link)}">{mark}</a>' if link else mark)
    parts.append("</g>")
    by_audit: dict[int, list[Drift]] = {}
    for d in drift:
        by_audit.setdefault(d.audit, []).append(d)
    for at, changes in by_audit.items():
        tip = f"{when(audits[at])} · {words['drift']}: " + "; ".join(
            f"{d.capability} {_value(d.was, words)} → {_value(d.now, words)}" for d in changes
        )
        parts.append(
            f'<use href="#m-drift" x="{axis.x(at)}" y="{drift_y}"><title>{escape(tip, quote=False)}</title></use>'
        )
    return _svg(axis, LANE_H, "".join(parts), f"{broker.name or broker.short_name}: {words['lane']}", "lane")


def _value(value: object, words: Mapping[str, str]) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return words["yes"] if value else words["no"]
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def trend_svg(
    axis: Axis,
    audits: Sequence[Audit],
    compliant: Sequence[int],
    audited: Sequence[int],
    present: Sequence[int],
    words: Mapping[str, str],
) -> Markup:
    """Compliant brokers per audit (solid line, ● points) over audited brokers (dashed line)."""
    top, base = 6, TREND_H - 4
    scale = max(list(present) + [1])

    def y(value: int) -> float:
        return round(base - value * (base - top) / scale, 1)

    line = " ".join(f"{axis.x(i)},{y(v)}" for i, v in enumerate(compliant))
    dashed = " ".join(f"{axis.x(i)},{y(v)}" for i, v in enumerate(audited))
    parts = [
        f'<line x1="0" y1="{base}" x2="{axis.width}" y2="{base}" class="base"/>',
        f'<polyline points="{dashed}" class="audited"/>',
        f'<polyline points="{line}" class="compliant"/>',
    ]
    for audit in audits:
        i = audit.index
        tip = f"{when(audit)} · {compliant[i]}/{present[i]} {words['compliant']} · {audited[i]} {words['audited']}"
        parts.append(
            f'<circle cx="{axis.x(i)}" cy="{y(compliant[i])}" r="2.5" class="tp"><title>{escape(tip)}</title></circle>'
        )
    return _svg(axis, TREND_H, "".join(parts), words["trend"], "trend")


def area_svg(axis: Axis, area: str, counts: Sequence[int], words: Mapping[str, str]) -> Markup:
    """Failed rule verdicts (broker × rule) in one rule area, per audit, as bars."""
    top, base = 3, AREA_H - 2
    scale = max(list(counts) + [1])
    width = max(1, axis.step - 2)
    d = _bars(axis, dict(enumerate(counts)), top, base, scale, -(width // 2), width)
    body = (f'<line x1="0" y1="{base}" x2="{axis.width}" y2="{base}" class="base"/>'
            f'<path class="bar-area" d="{d}"/>')
    return _svg(axis, AREA_H, body, f"{area}: {words['area_failures']}", "area-row")
