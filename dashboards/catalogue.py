"""What the dashboard needs to know of an indicator: the catalogue entry's shape, not where it comes from.

Why a protocol: the dashboard is built by the publish stage, which hands it the catalogue (`sql/catalogue.yaml`
read by `pipelines.indicators.catalogue`); the dashboard package itself imports nothing of the pipeline, so the
arrow runs one way (pipelines → dashboards).
"""

from __future__ import annotations

from typing import Protocol


class CatalogueEntry(Protocol):
    """One indicator of the catalogue, as far as pages and charts read it."""

    @property
    def id(self) -> str: ...
    @property
    def naam_nl(self) -> str: ...
    @property
    def naam_en(self) -> str: ...
    @property
    def soort(self) -> str: ...
    @property
    def eenheid(self) -> str: ...
    @property
    def niveaus(self) -> tuple[str, ...]: ...
    @property
    def dimensie(self) -> str | None: ...
    @property
    def definitie_nl(self) -> str: ...
    @property
    def definitie_en(self) -> str: ...
    @property
    def teller(self) -> str: ...
    @property
    def noemer(self) -> str | None: ...
