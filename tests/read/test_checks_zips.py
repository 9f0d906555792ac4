"""Limits checked before slow work (body size, feature count, vertices) and safe zips: hostile
members, zip bombs, declared and real unpacked sizes, encryption, and the unpacked copy removed.

Hostile zips are built in ``tmp_path`` around the real Nieuwegein buurten
(tests/read/checks_support.py).
"""

from __future__ import annotations

import io
import json
import stat
import struct
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import shapely

from geo.errors import (
    InputError,
    ReadError,
    TooLargeError,
    TooManyFeaturesError,
    TooManyVerticesError,
    UnsafeArchiveError,
)
from geo.read.buurten import read_buurten
from geo.read.limits import Limits
from tests.conftest import VOCABULARY
from tests.read.checks_support import (
    NIEUWEGEIN_GPKG,
    RD_NAME,
    body,
    real_buurten,
    shapefile_zip,
    zip_member,
)

# --------------------------------------------------------------------------- limits


def test_body_size_limit() -> None:
    raw = json.dumps(body(real_buurten())).encode()
    with pytest.raises(TooLargeError) as info:
        read_buurten(raw, limits=Limits(max_upload_bytes=len(raw) - 1), vocabulary=VOCABULARY)
    assert (info.value.limit, info.value.actual) == (len(raw) - 1, len(raw))
    assert (
        len(read_buurten(raw, limits=Limits(max_upload_bytes=len(raw)), vocabulary=VOCABULARY))
        == 39
    )


def test_feature_count_limit_for_bodies_and_files() -> None:
    with pytest.raises(TooManyFeaturesError, match="39 features is more than the 38") as info:
        read_buurten(body(real_buurten()), limits=Limits(max_features=38), vocabulary=VOCABULARY)
    assert info.value.extensions() == {"limit": 38, "actual": 39}
    with pytest.raises(TooManyFeaturesError):
        read_buurten(NIEUWEGEIN_GPKG, limits=Limits(max_features=38), vocabulary=VOCABULARY)


def test_vertex_limit_names_the_features() -> None:
    frame = real_buurten().iloc[:3].copy()
    dense = frame.geometry.iloc[1].segmentize(5.0)  # metres: hundreds of vertices
    frame.loc[frame.index[1], "geometry"] = dense
    n = shapely.get_num_coordinates(dense)
    with pytest.raises(TooManyVerticesError) as info:
        read_buurten(
            body(frame, crs_name=RD_NAME),
            limits=Limits(max_vertices_per_feature=50),
            vocabulary=VOCABULARY,
        )
    (problem,) = info.value.problems
    assert (problem.index, problem.id) == (1, "BU03560102")
    assert f"{n:,} vertices" in problem.reason
    assert info.value.actual == n


# --------------------------------------------------------------------------- zips


def _wsz_temp_dirs() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("wsz-zip-*")}


def test_safe_zip_is_read_and_its_unpacked_copy_removed(tmp_path: Path) -> None:
    before = _wsz_temp_dirs()
    buurten = read_buurten(shapefile_zip(tmp_path), vocabulary=VOCABULARY)
    assert len(buurten) == 39
    assert buurten["residents"].sum() == 65_955
    assert _wsz_temp_dirs() <= before


@pytest.mark.parametrize(
    ("member", "reason"),
    [
        (zip_member("../../evil.shp"), "path traversal"),
        (zip_member("WijkBuurtkaart_2023_v1/../../../etc/cron.d/x"), "path traversal"),
        (zip_member("/etc/passwd"), "absolute path"),
        (zip_member("C:/Windows/evil.dll"), "absolute path"),
        (zip_member("link.shp", b"/etc/passwd", mode=stat.S_IFLNK | 0o777), "symbolic link"),
        (zip_member("fifo", mode=stat.S_IFIFO | 0o644), "special file"),
    ],
    ids=["dotdot", "nested-dotdot", "absolute", "drive", "symlink", "fifo"],
)
def test_hostile_zip_members_are_refused(
    tmp_path: Path, member: Callable[[zipfile.ZipFile], None], reason: str
) -> None:
    archive = shapefile_zip(tmp_path, extra=member)
    with pytest.raises(UnsafeArchiveError, match=reason):
        read_buurten(archive, vocabulary=VOCABULARY)


def test_zip_bomb_ratio_is_refused(tmp_path: Path) -> None:
    zeros = b"\0" * (20 * 1024**2)  # deflates about 1000-fold
    archive = shapefile_zip(tmp_path, extra=zip_member("WijkBuurtkaart_2023_v1/padding.bin", zeros))
    with pytest.raises(UnsafeArchiveError, match=r"compression ratio beyond 200:1.*padding.bin"):
        read_buurten(archive, vocabulary=VOCABULARY)


def test_declared_unpacked_size_is_bounded(tmp_path: Path) -> None:
    archive = shapefile_zip(tmp_path)
    with pytest.raises(TooLargeError, match="unpacks to") as info:
        read_buurten(archive, limits=Limits(max_unzipped_bytes=10_000), vocabulary=VOCABULARY)
    assert info.value.limit == 10_000


def test_member_lying_about_its_size_is_stopped(tmp_path: Path) -> None:
    """A .dbf declaring 1,000 bytes but holding more: never more than declared is written."""
    archive = shapefile_zip(tmp_path)
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zipped:
        info = zipped.getinfo("WijkBuurtkaart_2023_v1/buurt_2023_v1.dbf")
    assert info.file_size > 1000
    struct.pack_into("<I", data, info.header_offset + 22, 1000)  # local header
    struct.pack_into("<I", data, _central_entry(bytes(data), info.filename) + 24, 1000)
    archive.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"CRC|declares"):
        read_buurten(archive, vocabulary=VOCABULARY)


def _central_entry(data: bytes, name: str) -> int:
    """Offset of ``name``'s entry in the zip's central directory."""
    offset = data.index(b"PK\x01\x02")
    while offset >= 0:
        length = struct.unpack_from("<H", data, offset + 28)[0]
        if data[offset + 46 : offset + 46 + length].decode() == name:
            return offset
        offset = data.find(b"PK\x01\x02", offset + 46)
    raise AssertionError(f"{name} not in the central directory")


def test_encrypted_member_is_refused(tmp_path: Path) -> None:
    # ZipFile.writestr clears the flag bits, so set "encrypted" in the central directory after.
    archive = shapefile_zip(tmp_path, extra=lambda zipped: zipped.writestr("secret.shp", b"x"))
    data = bytearray(archive.read_bytes())
    flags_at = _central_entry(bytes(data), "secret.shp") + 8
    struct.pack_into("<H", data, flags_at, struct.unpack_from("<H", data, flags_at)[0] | 0x1)
    archive.write_bytes(bytes(data))
    with pytest.raises(UnsafeArchiveError, match="encrypted"):
        read_buurten(archive, vocabulary=VOCABULARY)


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "buurten.zip"
    path.write_bytes(b"PK but not really")
    with pytest.raises(ReadError, match="not a valid zip file"):
        read_buurten(path, vocabulary=VOCABULARY)
