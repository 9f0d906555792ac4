"""What a placement or closure answer shows: frames built from the solvers' arrays.

Frames in (resident points with ``bu_code``, buurten with ``zone_code``), frames out; RD New.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from geo.ask.search import AddressIndex, address_text
from geo.vocabulary import PresenceLevel
from geo.whatif.closure import Dependence, ranking_order
from geo.whatif.mclp import DEFAULT_TIME_LIMIT_S, Method, Solution

#: What a site's ``address`` says when the store has no address index.
NO_ADDRESS_INDEX = "no address index"


@dataclass(frozen=True)
class Placement:
    """The answer to "where do k new sites help most?" (MCLP).

    ``sites``: the chosen candidates in order of gain (``rank``, ``gain``, ``bu_code``,
    ``bu_naam``, ``wk_code``, ``zone_code``, the nearest ``address`` and ``address_m``; RD
    New). ``by_zone`` / ``by_buurt``: weight newly covered per area. ``beyond_before`` /
    ``beyond_after``: share of the weight beyond the norm. ``off_network``: ids of candidates
    beyond the snap limit (not eligible, reported). ``curve``: the gain curve for k = 1…K
    (:mod:`geo.whatif.curve`); ``presence``: the areas that lacked one and the site placed in
    each (:mod:`geo.whatif.presence`); ``addresses``: whether an address index was searched.
    """

    category: str
    norm_m: float
    weight: str
    solution: Solution
    sites: gpd.GeoDataFrame
    by_zone: pd.DataFrame
    by_buurt: pd.DataFrame
    beyond_before: float
    beyond_after: float
    off_network: tuple[str, ...]
    curve: pd.DataFrame = field(default_factory=pd.DataFrame)
    presence: pd.DataFrame = field(default_factory=pd.DataFrame)
    addresses: bool = False


def areas_of(points: gpd.GeoDataFrame, buurten: gpd.GeoDataFrame) -> pd.DataFrame:
    """``bu_code`` and ``zone_code`` of each point (zone ``""`` where the buurt has none)."""
    zone = buurten.set_index("bu_code")["zone_code"].astype("string").fillna("")
    return pd.DataFrame(
        {"bu_code": points["bu_code"].astype(str), "zone_code": points["bu_code"].map(zone)},
        index=points.index,
    ).fillna({"zone_code": ""})


def newly_covered(
    areas: pd.DataFrame, weight: NDArray[np.float64], newly: NDArray[np.bool_]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Weight newly covered per zone and per buurt (areas with none left out)."""
    frame = areas.assign(newly=np.where(newly, weight, 0.0))
    frame = frame[frame["newly"] > 0]
    by_zone = frame.groupby("zone_code", as_index=False)["newly"].sum()
    by_buurt = frame.groupby(["bu_code", "zone_code"], as_index=False)["newly"].sum()
    return (
        by_zone.sort_values("newly", ascending=False, ignore_index=True),
        by_buurt.sort_values("newly", ascending=False, ignore_index=True),
    )


def chosen_sites(
    candidates: gpd.GeoDataFrame, solution: Solution, buurten: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """The chosen candidates with rank, gain, buurt, wijk and zone (a spatial join, RD New)."""
    sites = site_areas(candidates, solution.chosen, buurten)
    sites.insert(2, "gain", solution.gains)
    return sites


def site_areas(
    candidates: gpd.GeoDataFrame, chosen: NDArray[np.int64], buurten: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Candidates ``chosen`` (positions, in order) with ``rank``, ``id``, and the
    ``bu_code``, ``bu_naam``, ``wk_code`` and ``zone_code`` of the buurt each lies in."""
    sites = candidates.iloc[chosen][["id", "geometry"]].reset_index(drop=True)
    sites.insert(0, "rank", np.arange(1, len(sites) + 1))
    columns = ["bu_code", "bu_naam", "wk_code", "zone_code", "geometry"]
    joined = gpd.sjoin(sites, buurten[columns], how="left", predicate="within")
    joined = joined[~joined.index.duplicated()].drop(columns="index_right")
    return gpd.GeoDataFrame(joined, geometry="geometry", crs=candidates.crs)


def with_addresses(sites: gpd.GeoDataFrame, index: AddressIndex | None) -> gpd.GeoDataFrame:
    """``sites`` (RD New) with the nearest address of ``index`` (``address``, its display
    text, and ``address_m``, metres in a straight line); :data:`NO_ADDRESS_INDEX` and NaN
    where there is no index or it is empty."""
    if index is None or len(index) == 0 or sites.empty:
        return sites.assign(address=NO_ADDRESS_INDEX, address_m=np.nan)
    frame = index.frame
    tree = cKDTree(shapely.get_coordinates(frame.geometry.values))
    distance, nearest = tree.query(shapely.get_coordinates(sites.geometry.values))
    text = address_text(frame.iloc[nearest]).to_numpy()
    return sites.assign(address=text, address_m=np.asarray(distance, dtype=float))


def ranking_frame(facilities: gpd.GeoDataFrame, dep: Dependence) -> pd.DataFrame:
    """Every facility by the residents who would fall beyond the norm without it."""
    order = ranking_order(dep)
    frame = pd.DataFrame(
        {
            "id": facilities["id"].astype(str).to_numpy()[order],
            "name": facilities["name"].astype(str).to_numpy()[order],
            "zone_code": facilities["zone_code"].astype("string").fillna("").to_numpy()[order],
            "residents_beyond_without": dep.sole_weight[order],
            "residents_65plus_beyond_without": dep.sole_weight_2[order],
            "points": dep.sole[order],
        }
    )
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    return frame


@dataclass(frozen=True)
class PlaceOptions:
    """A placement's choices: the norm (m; None: the category's threshold), the weight
    (``residents`` or ``residents_65plus``), the method, the ILP's time limit (s), and the
    presence levels whose failing areas must each receive a site (``("wijk",)``: every wijk
    without one gets one)."""

    norm_m: float | None = None
    weight: Literal["residents", "residents_65plus"] = "residents"
    method: Method = "auto"
    time_limit_s: float = DEFAULT_TIME_LIMIT_S
    presence: tuple[PresenceLevel, ...] = ()
