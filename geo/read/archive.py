"""Open zip archives safely: check every member, then unpack only the vector file wanted.

CBS ships the Wijk- en Buurtkaart as a zip with buurt, wijk and gemeente Shapefiles side by
side; GIS staff upload zipped Shapefiles. Before GDAL sees anything, :func:`unpacked_vector`

1. refuses names that climb out of the archive (``..``, absolute paths, drive letters, NUL),
   symbolic links and other special files (the Unix mode in the zip's external attributes),
   and encrypted members: :class:`~geo.errors.UnsafeArchiveError`, listing every such name;
2. refuses more than ``max_zip_members`` members, declared sizes summing to more than
   ``max_unzipped_bytes`` (:class:`~geo.errors.TooLargeError`), any member over 1 MiB whose
   declared compression ratio exceeds ``max_zip_ratio``, and members whose ratio *together*
   exceeds it (zip bombs, of one member or of many small ones);
3. unpacks only the chosen vector file and its sidecars (``.shx``, ``.dbf``, ``.prj``, ...)
   into a fresh temporary folder under their bare file names, counting the bytes really
   written, so a member that lies about its size is stopped at its declared size;
4. removes the folder when the caller is done.
"""

from __future__ import annotations

import re
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from geo.errors import ReadError, TooLargeError, UnsafeArchiveError
from geo.read.checks import describe
from geo.read.limits import Limits

#: Files GDAL reads as vector layers when found in a zip.
VECTOR_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json")
#: Members larger than this are checked against the compression ratio limit (bytes).
RATIO_FLOOR_BYTES = 1024**2
CHUNK_BYTES = 1024**2
_DRIVE = re.compile(r"^[A-Za-z]:")


def choose_name(
    names: Sequence[str], prefer: str | None, *, where: str, what: str, key: Callable[[str], str]
) -> str:
    """The only name, or the only one whose ``key`` contains ``prefer``; else :class:`ReadError`."""
    if len(names) == 1:
        return names[0]
    preferred = [n for n in names if prefer and prefer in key(n).lower()]
    if len(preferred) == 1:
        return preferred[0]
    raise ReadError(f"{where}: holds several {what}s ({', '.join(names)}); choose one with --layer")


def unsafe_reason(info: zipfile.ZipInfo) -> str | None:
    """Why a member may not be unpacked (None when it may)."""
    name = info.filename
    parts = re.split(r"[/\\]", name)
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        return "absolute path"
    if ".." in parts:
        return "path traversal (..)"
    if "\x00" in name:
        return "NUL in the name"
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "symbolic link"
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISSOCK(mode):
        return "special file"
    if info.flag_bits & 0x1:
        return "encrypted"
    return None


def check_archive(infos: Sequence[zipfile.ZipInfo], limits: Limits, *, where: str) -> None:
    """Refuse an archive with unsafe names or links, too many members, or a zip-bomb shape."""
    if len(infos) > limits.max_zip_members:
        raise UnsafeArchiveError(
            f"{where}: {len(infos):,} members; at most {limits.max_zip_members:,} are accepted"
        )
    unsafe = [(i.filename, reason) for i in infos if (reason := unsafe_reason(i)) is not None]
    if unsafe:
        raise UnsafeArchiveError(
            f"{where}: refused to open the zip: "
            + describe(f"{name!r} ({reason})" for name, reason in unsafe)
        )
    declared = sum(i.file_size for i in infos)
    if declared > limits.max_unzipped_bytes:
        raise TooLargeError(
            f"{where}: the zip unpacks to {declared:,} bytes, more than the "
            f"{limits.max_unzipped_bytes:,} accepted (WSZ_MAX_UNZIPPED_BYTES)",
            limit=limits.max_unzipped_bytes,
            actual=declared,
        )
    bombs = [
        (i.filename, i.file_size / max(i.compress_size, 1))
        for i in infos
        if i.file_size > RATIO_FLOOR_BYTES
        and i.file_size / max(i.compress_size, 1) > limits.max_zip_ratio
    ]
    if bombs:
        raise UnsafeArchiveError(
            f"{where}: compression ratio beyond {limits.max_zip_ratio:.0f}:1 (a zip bomb?): "
            + describe(f"{name!r} ({ratio:,.0f}:1)" for name, ratio in bombs)
        )
    _check_total_ratio(infos, declared, limits, where=where)


def _check_total_ratio(
    infos: Sequence[zipfile.ZipInfo], declared: int, limits: Limits, *, where: str
) -> None:
    """Refuse a zip whose members *together* expand beyond ``max_zip_ratio``: many members of
    at most 1 MiB each escape the per-member check (2,040 × 1 MiB of zeros: 2.3 MB packed)."""
    packed = sum(i.compress_size for i in infos)
    ratio = declared / max(packed, 1)
    if declared > RATIO_FLOOR_BYTES and ratio > limits.max_zip_ratio:
        raise UnsafeArchiveError(
            f"{where}: its {len(infos):,} members together unpack to {declared:,} bytes from "
            f"{packed:,}, a compression ratio of {ratio:,.0f}:1, beyond "
            f"{limits.max_zip_ratio:.0f}:1 (a zip bomb?)"
        )


def _vector_members(infos: Sequence[zipfile.ZipInfo]) -> list[str]:
    return [
        i.filename for i in infos if not i.is_dir() and i.filename.lower().endswith(VECTOR_SUFFIXES)
    ]


def _choose_member(
    names: list[str], layer: str | None, prefer: str | None, *, where: str
) -> tuple[str, str | None]:
    """The member to read and the layer inside it (None: its only or preferred layer)."""
    if not names:
        raise ReadError(f"{where}: the zip holds no Shapefile, GeoPackage or GeoJSON")
    if layer is not None:
        matching = [n for n in names if PurePosixPath(n).stem == layer]
        if matching:
            return matching[0], None
        if len(names) == 1:
            return names[0], layer
        raise ReadError(f"{where}: no layer {layer!r} in the zip; it holds {', '.join(names)}")
    chosen = choose_name(
        names, prefer, where=where, what="file", key=lambda n: PurePosixPath(n).stem
    )
    return chosen, None


def _siblings(infos: Sequence[zipfile.ZipInfo], member: str) -> list[zipfile.ZipInfo]:
    """The member and its sidecars: same folder, same stem (case-insensitive)."""
    target = PurePosixPath(member.replace("\\", "/"))
    return [
        i
        for i in infos
        if not i.is_dir()
        and (path := PurePosixPath(i.filename.replace("\\", "/"))).parent == target.parent
        and path.stem.lower() == target.stem.lower()
    ]


def _unpack(
    archive: zipfile.ZipFile,
    infos: Sequence[zipfile.ZipInfo],
    folder: Path,
    limits: Limits,
    *,
    where: str,
) -> None:
    written = 0
    for info in infos:
        target = folder / PurePosixPath(info.filename.replace("\\", "/")).name
        member_bytes = 0
        with archive.open(info) as source, target.open("wb") as sink:
            while chunk := source.read(CHUNK_BYTES):
                member_bytes += len(chunk)
                written += len(chunk)
                if member_bytes > info.file_size:
                    raise UnsafeArchiveError(
                        f"{where}: member {info.filename!r} unpacks to more than the "
                        f"{info.file_size:,} bytes it declares"
                    )
                if written > limits.max_unzipped_bytes:
                    raise TooLargeError(
                        f"{where}: the zip unpacks to more than the "
                        f"{limits.max_unzipped_bytes:,} bytes accepted",
                        limit=limits.max_unzipped_bytes,
                        actual=written,
                    )
                sink.write(chunk)


@contextmanager
def unpacked_vector(
    path: Path,
    *,
    layer: str | None,
    prefer: str | None,
    limits: Limits,
    where: str | None = None,
) -> Iterator[tuple[Path, str | None]]:
    """Check the zip at ``path`` and yield (unpacked vector file, layer inside it or None).

    The vector file is the member named ``layer`` (by stem), the only one, or the one whose
    name contains ``prefer``; the temporary folder is removed afterwards.
    """
    where = where or str(path)
    folder = tempfile.TemporaryDirectory(prefix="wsz-zip-")
    try:
        try:
            with zipfile.ZipFile(path) as archive:
                infos = archive.infolist()
                check_archive(infos, limits, where=where)
                member, inner_layer = _choose_member(
                    _vector_members(infos), layer, prefer, where=where
                )
                _unpack(archive, _siblings(infos, member), Path(folder.name), limits, where=where)
        except zipfile.BadZipFile as exc:
            raise ReadError(f"{where}: not a valid zip file ({exc})") from exc
        except (zipfile.LargeZipFile, NotImplementedError, OSError, zlib.error) as exc:
            raise ReadError(f"{where}: cannot unpack the zip ({exc})") from exc
        yield Path(folder.name) / PurePosixPath(member.replace("\\", "/")).name, inner_layer
    finally:
        folder.cleanup()
