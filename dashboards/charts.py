"""Altair charts of the protected indicators: one chart per indicator, as offline HTML and PNG.

Charts read only the protected publication table. A suppressed cell is drawn as a label "onderdrukt"
(never as a zero bar), and every chart made from synthetic data says so in its subtitle.
"""

from __future__ import annotations

from pathlib import Path

import altair as alt
import polars as pl
import vl_convert as vlc

SYNTHETIC_NOTE = "synthetische data"
SUPPRESSED_LABEL = "onderdrukt (< 10)"


def _subtitle(gemeente: str, synthetic: bool) -> list[str]:
    lines = [f"Gemeente {gemeente}; onderdrukte cellen zijn niet getekend en staan als '{SUPPRESSED_LABEL}'."]
    if synthetic:
        lines.append(f"Let op: {SYNTHETIC_NOTE} — fictieve personen, geen echte cijfers.")
    return lines


def indicator_chart(table: pl.DataFrame, indicator: str, gemeente: str, synthetic: bool) -> alt.Chart:
    """Gemeente value per school year; a dimension's categories side by side."""
    rows = table.filter((pl.col("indicator") == indicator) & (pl.col("niveau") == "gemeente")).sort(
        "schooljaar", "categorie", nulls_last=True
    )
    name = str(rows.get_column("indicator_naam")[0])
    unit = str(rows.get_column("eenheid")[0])
    data = rows.select(
        "schooljaar",
        pl.col("categorie").fill_null("totaal"),
        "waarde",
        pl.when(pl.col("onderdrukt")).then(pl.lit(SUPPRESSED_LABEL)).otherwise(pl.lit("")).alias("label"),
    ).to_dicts()
    base = alt.Chart(alt.Data(values=data))
    has_categories = rows.get_column("dimensie").drop_nulls().len() > 0
    x = alt.X("schooljaar:N", title="Schooljaar")
    y = alt.Y("waarde:Q", title=f"{name} ({unit})", axis=alt.Axis(format=",.4~f"))
    bars = base.mark_bar().encode(
        x=x,
        y=y,
        tooltip=[
            alt.Tooltip("schooljaar:N", title="Schooljaar"),
            alt.Tooltip("categorie:N", title="Categorie"),
            alt.Tooltip("waarde:Q", title=name, format=",.1f"),
        ],
    )
    if has_categories:
        bars = bars.encode(
            color=alt.Color("categorie:N", title="Categorie", scale=alt.Scale(scheme="tableau10")),
            xOffset="categorie:N",
        )
    labels = base.mark_text(dy=-6, color="#555").encode(x=x, y=alt.value(200), text="label:N")
    return (bars + labels).properties(
        width=520,
        height=260,
        title=alt.Title(f"{indicator} {name}", subtitle=_subtitle(gemeente, synthetic)),
        description=f"{name} per schooljaar voor de gemeente {gemeente} ({unit}).",
    )


def write_charts(table: pl.DataFrame, out_dir: Path, gemeente: str, synthetic: bool) -> list[Path]:
    """Write <indicator>.html (offline, Vega inlined) and <indicator>.png for every indicator."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for indicator in sorted(table.get_column("indicator").unique().to_list()):
        chart = indicator_chart(table, indicator, gemeente, synthetic)
        spec = chart.to_dict(validate=True)
        html = out_dir / f"{indicator}.html"
        chart.save(str(html), inline=True, embed_options={"actions": False})
        png = out_dir / f"{indicator}.png"
        png.write_bytes(vlc.vegalite_to_png(spec, scale=1.5, format_locale="nl-NL"))
        written += [html, png]
    return written
