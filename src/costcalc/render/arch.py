"""Rendering of ``costcalc arch list|show``: the catalog of model architectures."""

from __future__ import annotations

import csv
import io
from typing import Any

from costcalc.render.fmt import json_text
from costcalc.workloads import count_text

LIST_HEAD = ("arch", "kind", "layers", "d_model", "heads", "kv", "ffn", "vocab", "seq", "params")


def _params(row: dict[str, Any]) -> str:
    text = count_text(row["params"])
    if row["active_params"] != row["params"]:
        text += f" ({count_text(row['active_params'])} active)"
    return text


def _row(a: dict[str, Any]) -> tuple[str, ...]:
    s = a["shape"]
    kind = a["kind"] + (f" MoE {s['top_k']}/{s['experts']}" if s["experts"] > 1 else "")
    return (
        a["name"] + (" (user)" if a["user"] else ""),
        kind,
        str(s["layers"]),
        str(s["d_model"]),
        str(s["heads"]),
        str(s["kv_heads"] or s["heads"]),
        str(s["ffn"]),
        str(s["vocab"]),
        str(s["seq_len"]),
        _params(a),
    )


def render_list(archs: list[dict[str, Any]], fmt: str) -> str:
    """``archs`` are :func:`costcalc.workload_shape.summary` documents."""
    if fmt == "json":
        return json_text({"schema": "costcalc/architectures/1", "architectures": archs})
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow((*LIST_HEAD, "source"))
        for a in archs:
            writer.writerow((*_row(a), a["sources"].get("shape", "")))
        return out.getvalue()
    table = [LIST_HEAD, *(_row(a) for a in archs)]
    widths = [max(len(row[i]) for row in table) for i in range(len(LIST_HEAD))]
    lines = [
        "  ".join(f"{c:<{w}}" for c, w in zip(row, widths, strict=True)).rstrip() for row in table
    ]
    lines.append(
        "params: counted from the shape; 'costcalc arch show ARCH' for the published count and "
        "the sources."
    )
    return "\n".join(lines) + "\n"


def render_show(a: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json_text({"schema": "costcalc/architecture/1", **a})
    rows = [("name", a["name"]), ("display name", a["display_name"])]
    if a["aliases"]:
        rows.append(("aliases", ", ".join(a["aliases"])))
    rows.append(("kind", a["kind"]))
    for key, value in a["shape"].items():
        if value or key in ("layers", "d_model", "heads", "ffn", "vocab"):
            rows.append((key, str(value)))
    rows.append(("params (counted)", _params(a)))
    if a["published_params"]:
        rows.append(
            (
                "params (published)",
                f"{count_text(a['published_params'])}: {a['published_params_source']}",
            )
        )
    for key, source in a["sources"].items():
        rows.append((f"source ({key})", source))
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows) + "\n"
