"""Zip archives opened safely (geo.read.archive): every member checked before anything is
unpacked, then only the chosen vector file and its sidecars, under their bare names, in a
temporary folder removed afterwards.

Tiny zips are written with :mod:`zipfile` in ``tmp_path``; their members are a few bytes
(nothing here parses them: that is GDAL's job, tested with real files in test_checks_zips.py).
"""

from __future__ import annotations

import stat
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.errors import ReadError, TooLargeError, UnsafeArchiveError
from geo.read.archive import (
    RATIO_FLOOR_BYTES,
    check_archive,
    choose_name,
    unpacked_vector,
    unsafe_reason,
)
from geo.read.limits import DEFAULT_LIMITS, Limits

#: A CBS-like zip: buurt and wijk Shapefiles with sidecars in a folder, a readme beside.
CBS_LIKE = {
    "WijkBuurtkaart/buurt_2023.shp": b"shp-buurt",
    "WijkBuurtkaart/buurt_2023.shx": b"shx-buurt",
    "WijkBuurtkaart/buurt_2023.dbf": b"dbf-buurt",
    "WijkBuurtkaart/BUURT_2023.PRJ": b"prj-buurt",  # sidecars match case-insensitively
    "WijkBuurtkaart/wijk_2023.shp": b"shp-wijk",
    "WijkBuurtkaart/wijk_2023.dbf": b"dbf-wijk",
    "WijkBuurtkaart/leesmij.txt": b"readme",
}


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    """A zip of ``members``, each a regular file (``-rw-r--r--``) as zip tools write them."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            entry = zipfile.ZipInfo(name)
            kind = stat.S_IFDIR | 0o755 if name.endswith("/") else stat.S_IFREG | 0o644
            entry.external_attr = kind << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, data)
    return path


def info(
    name: str, *, mode: int = stat.S_IFREG | 0o644, size: int = 1, packed: int = 1
) -> zipfile.ZipInfo:
    """A member's entry as the zip's directory states it (nothing is written)."""
    entry = zipfile.ZipInfo(name)
    entry.external_attr = mode << 16
    entry.file_size, entry.compress_size = size, packed
    return entry


def unpack(path: Path, **options: object) -> tuple[dict[str, bytes], str, str | None]:
    """What :func:`unpacked_vector` yields: the unpacked folder's files, the chosen file's
    name and the layer inside it."""
    options = {"layer": None, "prefer": None, "limits": DEFAULT_LIMITS, **options}
    with unpacked_vector(path, **options) as (vector, layer):  # type: ignore[arg-type]
        assert vector.is_file()
        files = {p.name: p.read_bytes() for p in vector.parent.iterdir()}
        return files, vector.name, layer


def wsz_temp_dirs() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("wsz-zip-*")}


# --------------------------------------------------------------------------- choosing


def test_choose_name() -> None:
    stem = lambda n: PurePosixPath(n).stem  # noqa: E731
    assert choose_name(["a/only.shp"], None, where="z", what="file", key=stem) == "a/only.shp"
    names = ["a/buurt_2023.shp", "a/wijk_2023.shp"]
    assert choose_name(names, "buurt", where="z", what="file", key=stem) == "a/buurt_2023.shp"
    with pytest.raises(ReadError, match=r"z: holds several files \(a/buurt_2023.shp, a/wijk"):
        choose_name(names, None, where="z", what="file", key=stem)
    with pytest.raises(ReadError, match="choose one with --layer"):
        choose_name([*names, "a/buurt_2022.shp"], "buurt", where="z", what="file", key=stem)


def test_the_preferred_shapefile_is_unpacked_with_its_sidecars_only(tmp_path: Path) -> None:
    before = wsz_temp_dirs()
    files, name, layer = unpack(write_zip(tmp_path / "wbk.zip", CBS_LIKE), prefer="buurt")
    assert name == "buurt_2023.shp"
    assert layer is None
    assert files == {
        "buurt_2023.shp": b"shp-buurt",
        "buurt_2023.shx": b"shx-buurt",
        "buurt_2023.dbf": b"dbf-buurt",
        "BUURT_2023.PRJ": b"prj-buurt",
    }
    assert wsz_temp_dirs() <= before  # the unpacked copy is gone


def test_a_layer_names_the_member_by_its_stem(tmp_path: Path) -> None:
    files, name, layer = unpack(write_zip(tmp_path / "wbk.zip", CBS_LIKE), layer="wijk_2023")
    assert (name, layer) == ("wijk_2023.shp", None)
    assert set(files) == {"wijk_2023.shp", "wijk_2023.dbf"}


def test_a_layer_inside_the_only_vector_file(tmp_path: Path) -> None:
    """A GeoPackage alone in the zip: ``layer`` is a layer inside it."""
    archive = write_zip(tmp_path / "g.zip", {"data/buurten.gpkg": b"gpkg", "x.txt": b"x"})
    files, name, layer = unpack(archive, layer="buurt_2023")
    assert (name, layer) == ("buurten.gpkg", "buurt_2023")
    assert files == {"buurten.gpkg": b"gpkg"}


@pytest.mark.parametrize("suffix", [".geojson", ".json", ".gpkg", ".shp", ".SHP"])
def test_every_vector_suffix_is_found(tmp_path: Path, suffix: str) -> None:
    archive = write_zip(tmp_path / "v.zip", {f"in/map/layer{suffix}": b"v", "in/a.csv": b"c"})
    assert unpack(archive)[1] == f"layer{suffix}"


@pytest.mark.parametrize(
    ("members", "options", "message"),
    [
        ({"a.txt": b"x", "b.csv": b"y"}, {}, "holds no Shapefile, GeoPackage or GeoJSON"),
        ({"folder/": b""}, {}, "holds no Shapefile"),
        (CBS_LIKE, {}, "holds several files"),
        (CBS_LIKE, {"layer": "gemeente_2023"}, "no layer 'gemeente_2023' in the zip; it holds"),
    ],
)
def test_no_single_vector_file_is_a_read_error(
    tmp_path: Path, members: dict[str, bytes], options: dict[str, str], message: str
) -> None:
    with pytest.raises(ReadError, match=message):
        unpack(write_zip(tmp_path / "x.zip", members), **options)


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "fake.zip"
    path.write_bytes(b"PK\x03\x04 but nothing more")
    with pytest.raises(ReadError, match=r"fake\.zip: not a valid zip file"):
        unpack(path)
    with pytest.raises(ReadError, match=r"upload\.zip: not a valid zip file"):
        unpack(path, where="upload.zip")


def test_the_folder_is_removed_when_the_reader_fails(tmp_path: Path) -> None:
    before = wsz_temp_dirs()
    archive = write_zip(tmp_path / "wbk.zip", CBS_LIKE)
    with (
        pytest.raises(RuntimeError, match="GDAL gave up"),
        unpacked_vector(archive, layer=None, prefer="buurt", limits=DEFAULT_LIMITS),
    ):
        raise RuntimeError("GDAL gave up")
    assert wsz_temp_dirs() <= before


# --------------------------------------------------------------------------- safety


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        (info("../evil.shp"), "path traversal (..)"),
        (info("data/../../evil.shp"), "path traversal (..)"),
        (info("data\\..\\evil.shp"), "path traversal (..)"),
        (info("/etc/passwd"), "absolute path"),
        (info("\\\\server\\share\\x.shp"), "absolute path"),
        (info("C:/Windows/evil.dll"), "absolute path"),
        (info("d:evil.shp"), "absolute path"),
        (info("link.shp", mode=stat.S_IFLNK | 0o777), "symbolic link"),
        (info("fifo", mode=stat.S_IFIFO | 0o644), "special file"),
        (info("disk", mode=stat.S_IFBLK | 0o644), "special file"),
    ],
)
def test_unsafe_members(entry: zipfile.ZipInfo, reason: str) -> None:
    assert unsafe_reason(entry) == reason


def test_a_nul_in_the_name() -> None:
    """zipfile cuts names at a NUL when it reads a zip; the check holds for any entry given."""
    entry = info("evil.shp")
    entry.filename = "evil\x00.shp"
    assert unsafe_reason(entry) == "NUL in the name"


def test_safe_members() -> None:
    encrypted = info("secret.shp")
    encrypted.flag_bits |= 0x1
    assert unsafe_reason(encrypted) == "encrypted"
    for entry in (
        info("data/buurt.shp"),
        info("data/", mode=stat.S_IFDIR | 0o755),
        info("no-mode.shp", mode=0),  # zips made on Windows state no Unix mode
        info("..hidden/buurt..shp"),  # dots inside a name are no traversal
    ):
        assert unsafe_reason(entry) is None, entry.filename


def test_a_zip_written_by_pythons_writestr_is_read(tmp_path: Path) -> None:
    """``ZipFile.writestr(name, data)`` states the mode ``0o600`` without a file type, as some
    zip writers do: an ordinary file, not a special one."""
    path = tmp_path / "python.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("voorzieningen.geojson", b"{}")
    assert unsafe_reason(zipfile.ZipFile(path).infolist()[0]) is None
    assert unpack(path)[0] == {"voorzieningen.geojson": b"{}"}


def test_every_unsafe_name_is_listed_in_one_error() -> None:
    entries = [info("ok.shp"), info("../a.shp"), info("/b.shp")]
    with pytest.raises(UnsafeArchiveError) as raised:
        check_archive(entries, DEFAULT_LIMITS, where="up.zip")
    message = str(raised.value)
    assert message.startswith("up.zip: refused to open the zip: ")
    assert "'../a.shp' (path traversal (..))" in message
    assert "'/b.shp' (absolute path)" in message
    assert "ok.shp" not in message


def test_member_count_limit() -> None:
    entries = [info(f"m{i}.txt") for i in range(6)]
    check_archive(entries, Limits(max_zip_members=6), where="z")
    with pytest.raises(UnsafeArchiveError, match="z: 6 members; at most 5 are accepted"):
        check_archive(entries, Limits(max_zip_members=5), where="z")


def test_declared_sizes_are_bounded_before_unpacking() -> None:
    entries = [info("a.shp", size=600, packed=300), info("a.dbf", size=500, packed=300)]
    check_archive(entries, Limits(max_unzipped_bytes=1100), where="z")
    with pytest.raises(TooLargeError, match="unpacks to 1,100 bytes, more than the 1,099") as e:
        check_archive(entries, Limits(max_unzipped_bytes=1099), where="z")
    assert (e.value.limit, e.value.actual) == (1099, 1100)


def test_the_compression_ratio_counts_for_large_members_only() -> None:
    """Over 1 MiB a member may not expand more than 200-fold; below, padding may."""
    small = info("pad.bin", size=RATIO_FLOOR_BYTES, packed=1)
    check_archive([small], DEFAULT_LIMITS, where="z")
    fine = info("ok.shp", size=200 * 10_000, packed=10_000)
    check_archive([fine], DEFAULT_LIMITS, where="z")
    bomb = info("bomb.shp", size=201 * 10_000, packed=10_000)
    with pytest.raises(UnsafeArchiveError, match=r"beyond 200:1 \(a zip bomb\?\): 'bomb.shp'"):
        check_archive([small, fine, bomb], DEFAULT_LIMITS, where="z")
    check_archive([bomb], Limits(max_zip_ratio=250.0), where="z")


def test_a_real_zip_bomb_is_refused_unopened(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / "bomb.zip", {"b.geojson": b"{}", "pad.bin": b"\0" * 3 * 1024**2})
    with pytest.raises(UnsafeArchiveError, match=r"pad\.bin"):
        unpack(archive)


def test_unpacked_bytes_are_counted_against_the_limit(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / "v.zip", {"v.geojson": b"x" * 5000})
    assert unpack(archive, limits=Limits(max_unzipped_bytes=5000))[0] == {"v.geojson": b"x" * 5000}
    with pytest.raises(TooLargeError, match="unpacks to 5,000 bytes"):
        unpack(archive, limits=Limits(max_unzipped_bytes=4999))


def test_a_hostile_member_stops_the_whole_zip_even_if_not_chosen(tmp_path: Path) -> None:
    members = {"good/buurt.geojson": b"{}", "../../etc/cron.d/evil": b"* * * * * x"}
    with pytest.raises(UnsafeArchiveError, match="path traversal"):
        unpack(write_zip(tmp_path / "h.zip", members))


#: Path segments of names to try: ordinary ones, dots, and both separators.
segments = st.lists(st.sampled_from(["a", "b.shp", "..", ".", "...", "x..y", ""]), min_size=1)


@settings(max_examples=300, deadline=None)
@given(parts=segments, separators=st.lists(st.sampled_from(["/", "\\"]), min_size=8))
def test_a_name_let_through_never_leaves_the_folder(
    parts: Sequence[str], separators: Sequence[str]
) -> None:
    """Whatever the name, if it is let through, resolving it under the unpack folder stays
    inside it (the member is then written under its bare name anyway)."""
    name = "".join(p + s for p, s in zip(parts, separators, strict=False))[:-1] or parts[0]
    if unsafe_reason(info(name)) is not None:
        return
    folder = Path("/unpack/here")
    resolved = Path(str(PurePosixPath("/unpack/here") / name.replace("\\", "/"))).resolve(
        strict=False
    )
    assert resolved == folder.resolve(strict=False) or folder.resolve() in resolved.parents


def test_many_small_members_together_are_a_zip_bomb() -> None:
    """2,040 members of 1 MiB each (none checked alone) unpack 2 GB from 2.3 MB: refused."""
    members = [info(f"pad{i}.bin", size=RATIO_FLOOR_BYTES, packed=1_100) for i in range(2_040)]
    with pytest.raises(UnsafeArchiveError, match=r"2,041 members together .* 953:1, beyond 200"):
        check_archive([info("v.geojson"), *members], DEFAULT_LIMITS, where="z")
    check_archive(members[:1], DEFAULT_LIMITS, where="z")  # 1 MiB in all: the floor


def test_a_real_zip_of_many_small_members_is_refused_unopened(tmp_path: Path) -> None:
    pads = {f"pad{i}.bin": b"\0" * RATIO_FLOOR_BYTES for i in range(8)}
    archive = write_zip(tmp_path / "many.zip", {"v.geojson": b"{}", **pads})
    before = wsz_temp_dirs()
    with pytest.raises(UnsafeArchiveError, match="9 members together"):
        unpack(archive)
    assert wsz_temp_dirs() <= before
