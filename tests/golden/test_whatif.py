"""Golden answers of the what-if questions added for presence norms, the distance objective,
the gain curve and building candidates, on both samples: ``wsz whatif norms|place`` (group
``whatif-cli``) and ``GET /whatif/norms``, ``POST /whatif/placements`` (group ``whatif``),
their refusals included. Placements are kept small (one zone, 200 m spacing) to stay cheap.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.golden.conftest import Wsz
from tests.golden.support import (
    GOLDEN_DIR,
    SAMPLES,
    check,
    needs_shared_data,
    normalise,
    response_text,
)
from tests.golden.test_cli import Run

pytestmark = needs_shared_data

ZONE = {"nieuwegein": "west", "delft-tu": "campus"}


def cli_cases(sample: str) -> list[Run]:
    zone = ZONE[sample]
    place = ("whatif", "place")
    runs = [
        Run(("whatif", "norms")),
        Run(("whatif", "norms", "--gaps", "--zone", zone)),
        Run(("whatif", "norms", "huisarts", "--level", "zone")),
        Run(
            (
                *place,
                "huisarts",
                "2",
                "--area",
                zone,
                "--spacing",
                "200",
                "--weight",
                "residents_65plus",
            )
        ),
        Run(
            (*place, "huisarts", "2", "--area", zone, "--spacing", "200", "--objective", "distance")
        ),
        Run((*place, "ontmoetingsplek", "1", "--presence", "wijk")),
        Run((*place, "huisarts", "1", "--objective", "distance", "--presence", "zone")),
    ]
    if sample == "delft-tu":
        runs += [
            Run((*place, "steunpunt", "2", "--presence", "zone", "--spacing", "200")),
            Run((*place, "huisarts", "2", "--from", "buildings", "--area", zone)),
        ]
    else:
        runs.append(Run((*place, "huisarts", "1", "--from", "buildings")))
    return runs


@dataclass(frozen=True)
class Ask:
    """A what-if request: GET ``url``, or POST ``body`` to it; ``name`` names the file."""

    name: str
    url: str
    body: dict[str, Any] | None = None

    @property
    def file_name(self) -> str:
        return self.name


def api_cases(sample: str) -> list[Ask]:
    area = {"area": ZONE[sample], "spacing_m": 200}
    place = "/whatif/placements"
    return [
        Ask("norms", "/whatif/norms"),
        Ask("norms_gaps", f"/whatif/norms?gaps_only=true&zone={ZONE[sample]}"),
        Ask("norms_huisarts_zone", "/whatif/norms?category=huisarts&level=zone"),
        Ask("norms_unknown_category", "/whatif/norms?category=kapper"),
        Ask("norms_unknown_level", "/whatif/norms?level=buurt"),
        Ask("coverage_presence", "/coverage?category=steunpunt"),
        Ask(
            "place_coverage_curve",
            place,
            {"category": "huisarts", "k": 2, "candidates": area, "weight": "residents_65plus"},
        ),
        Ask(
            "place_distance",
            place,
            {"category": "huisarts", "k": 2, "candidates": area, "objective": "distance"},
        ),
        Ask(
            "place_presence_too_few",
            place,
            {"category": "ontmoetingsplek", "k": 1, "presence": ["wijk"]},
        ),
        Ask(
            "place_distance_with_presence",
            place,
            {"category": "huisarts", "k": 1, "objective": "distance", "presence": ["zone"]},
        ),
        Ask(
            "place_buildings",
            place,
            {
                "category": "huisarts",
                "k": 1,
                "candidates": {"area": ZONE[sample], "source": "buildings"},
            },
        ),
    ]


@pytest.mark.parametrize(
    ("sample", "run"),
    [pytest.param(s, r, id=f"{s}:{r.file_name}") for s in SAMPLES for r in cli_cases(s)],
)
def test_whatif_cli(sample: str, run: Run, wsz: Wsz, basetemp: Path) -> None:
    status, stdout, stderr = wsz(*run.args)
    text = f"$ wsz {' '.join(run.args)}\nexit: {status}\n"
    text += f"--- stdout ---\n{stdout}--- stderr ---\n{stderr}"
    check(GOLDEN_DIR / sample / "whatif-cli" / f"{run.file_name}.txt", normalise(text, basetemp))


@pytest.mark.parametrize(
    ("sample", "ask"),
    [pytest.param(s, a, id=f"{s}:{a.name}") for s in SAMPLES for a in api_cases(s)],
)
def test_whatif_api(sample: str, ask: Ask, api: TestClient, basetemp: Path) -> None:
    client: Any = api  # the test client's response type is httpx's under another name
    response = client.get(ask.url) if ask.body is None else client.post(ask.url, json=ask.body)
    suffix, text = response_text(response, basetemp)
    if ask.body is not None:
        text = json.dumps({"request": ask.body}, indent=1) + "\n" + text
    check(GOLDEN_DIR / sample / "whatif" / f"{ask.file_name}{suffix}", text)
