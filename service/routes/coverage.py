"""Coverage figures per zone and for the gemeente."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from geo.query import check_category, check_zone
from service.deps import PublishedDep
from service.schemas import CoverageResponse, CoverageRow
from service.state import records

router = APIRouter(prefix="/coverage", tags=["coverage"])


@router.get("", response_model=CoverageResponse, summary="Coverage per zone and category")
def coverage(
    published: PublishedDep,
    zone: Annotated[str | None, Query(description="Only this zone.")] = None,
    category: Annotated[str | None, Query(description="Only this category.")] = None,
) -> dict[str, object]:
    """Share of residents (and 65+) beyond each category's threshold, per zone.

    ``gemeente`` covers all buurten in a zone together.
    """
    result = published.analysis.coverage
    zones, gemeente = result.zones, result.gemeente
    if zone is not None:
        zones = zones[zones["zone_code"] == check_zone(zone, published.zones)]
    if category is not None:
        code = check_category(category, published.analysis.vocabulary)
        zones, gemeente = zones[zones["category"] == code], gemeente[gemeente["category"] == code]
    return {"source": result.source, "gemeente": records(gemeente), "zones": records(zones)}


@router.get("/buurten", response_model=list[CoverageRow], summary="Coverage per buurt")
def buurt_coverage(
    published: PublishedDep,
    zone: Annotated[str | None, Query(description="Only this zone's buurten.")] = None,
) -> list[dict[str, object]]:
    """Coverage figures per buurt and category (the numbers the map's gap layers shade)."""
    rows = published.analysis.coverage.buurten
    if zone is not None:
        rows = rows[rows["zone_code"] == check_zone(zone, published.zones)]
    return records(rows)
