"""Approximate outlines of the provinces and territories the map covers, drawn from the
gazetteer (networks/data/places.csv), so the map shows where things are without any tile
server.

No official boundary file is shipped with the project, so the outlines are not the legal
limits: each territory is the convex hull of its places, each place widened by a margin (a
territory with one place is a small octagon around it); each province is the hull of its
territories. The file says so in every feature (``approximate: true``) and the map's legend
says so to the reader. Rebuild the static file after changing the gazetteer with
``manage.py build_map_outlines``; tests/triage/test_map_offline.py checks it is up to date.
"""

import csv
import json
import math
from collections import defaultdict
from pathlib import Path

from django.conf import settings

PLACES_CSV = Path(__file__).resolve().parent.parent / "networks" / "data" / "places.csv"
OUTLINES_STATIC = "geo/outlines.geojson"  # under the static folder
MARGIN = 0.12  # degrees (about 13 km) around each place
CORNERS = 8  # points of the octagon drawn around each place
DECIMALS = 4


def outlines_path() -> Path:
    return Path(settings.BASE_DIR) / "static" / OUTLINES_STATIC


def _read_places(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            {
                "province": row["province"],
                "territory": row["territory"],
                "name": row["place"],
                "lat": float(row["latitude"]),
                "lon": float(row["longitude"]),
            }
            for row in csv.DictReader(handle)
            if row.get("latitude") and row.get("longitude")
        ]


def _widened(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Each (lon, lat) point and an octagon of radius MARGIN around it."""
    out = []
    for lon, lat in points:
        for k in range(CORNERS):
            angle = 2 * math.pi * k / CORNERS
            out.append((lon + MARGIN * math.cos(angle), lat + MARGIN * math.sin(angle)))
    return out


def _cross(o, a, b) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def convex_hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Andrew's monotone chain: the hull, counter-clockwise, first point not repeated."""
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts
    lower: list[tuple[float, float]] = []
    for p in pts:
        while len(lower) >= 2 and _cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[tuple[float, float]] = []
    for p in reversed(pts):
        while len(upper) >= 2 and _cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def _ring(hull: list[tuple[float, float]]) -> list[list[float]]:
    ring = [[round(x, DECIMALS), round(y, DECIMALS)] for x, y in hull]
    return ring + [ring[0]]


def _polygon(kind: str, name: str, province: str, hull) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [_ring(hull)]},
        "properties": {"kind": kind, "name": name, "province": province, "approximate": True},
    }


def build_outlines(path: Path = PLACES_CSV) -> dict:
    """Provinces, territories (approximate polygons) and places (points), as one GeoJSON
    FeatureCollection."""
    places = _read_places(path)
    territories: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for place in places:
        territories[(place["province"], place["territory"])].append((place["lon"], place["lat"]))
    hulls = {key: convex_hull(_widened(points)) for key, points in sorted(territories.items())}
    provinces: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for (province, _territory), hull in hulls.items():
        provinces[province].extend(hull)
    features = [
        _polygon("province", province, province, convex_hull(points))
        for province, points in sorted(provinces.items())
    ]
    features += [
        _polygon("territory", territory, province, hull)
        for (province, territory), hull in hulls.items()
    ]
    features += [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [place["lon"], place["lat"]]},
            "properties": {
                "kind": "place",
                "name": place["name"],
                "territory": place["territory"],
                "province": place["province"],
            },
        }
        for place in places
    ]
    return {
        "type": "FeatureCollection",
        "source": "networks/data/places.csv; approximate outlines (convex hulls), not legal limits",
        "features": features,
    }


def outlines_json(path: Path = PLACES_CSV) -> str:
    return json.dumps(build_outlines(path), ensure_ascii=False, separators=(",", ":")) + "\n"
