"""The S-curve of the overview page, drawn on the server as inline SVG (no script, no library).

``s_curve(series)`` turns the overview's curve (13 points: the end of each
month and 31 January of the next year, each with its target and, up to the
day shown, the actual cumulative rate) into the coordinates the template
draws: two polylines, the axes' ticks and the points' labels. The template
gives the SVG a title and a description, and the same figures as a table.
"""

from __future__ import annotations

from decimal import Decimal

WIDTH = 640
HEIGHT = 300
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 14, 36
MONTH_LABELS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "31/1"]


def _x(index: int, count: int) -> float:
    return LEFT + (WIDTH - LEFT - RIGHT) * index / max(count - 1, 1)


def _y(percent: Decimal | float, top: float) -> float:
    value = min(float(percent), top)
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / top)


def s_curve(series: list[dict]) -> dict:
    """Coordinates for the template: ``target`` and ``actual`` polylines, ticks, last point."""
    count = len(series)
    highest = max(
        [float(p["target"]) for p in series] + [float(p["rate"] or 0) for p in series] + [100.0]
    )
    top = 100.0 if highest <= 100 else float(int(highest / 20) + 1) * 20
    target = [(_x(i, count), _y(p["target"], top)) for i, p in enumerate(series)]
    actual = [
        (_x(i, count), _y(p["rate"], top)) for i, p in enumerate(series) if p["rate"] is not None
    ]

    def points(pairs):
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in pairs)

    ticks_y = [
        {"y": round(_y(v, top), 1), "label": f"{v}%"}
        for v in range(0, int(top) + 1, 20 if top <= 100 else 40)
    ]
    ticks_x = [
        {"x": round(_x(i, count), 1), "label": MONTH_LABELS[i] if i < len(MONTH_LABELS) else ""}
        for i in range(count)
    ]
    last = None
    if actual:
        index = max(i for i, p in enumerate(series) if p["rate"] is not None)
        last = {
            "x": round(actual[-1][0], 1),
            "y": round(actual[-1][1], 1),
            "rate": series[index]["rate"],
            "target": series[index]["target"],
        }
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bottom": HEIGHT - BOTTOM,
        "label_y": HEIGHT - BOTTOM + 18,
        "target": points(target),
        "actual": points(actual),
        "target_dots": [{"x": round(x, 1), "y": round(y, 1)} for x, y in target],
        "actual_dots": [{"x": round(x, 1), "y": round(y, 1)} for x, y in actual],
        "ticks_y": ticks_y,
        "ticks_x": ticks_x,
        "last": last,
    }
