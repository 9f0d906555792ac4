"""One exception hierarchy for the domain; the API maps each class to an HTTP status.

Every message says *what* is wrong and *where* (file, row, code) and, where it can, how to
fix it. Nothing in ``geo`` chooses an HTTP status.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: An error lists at most this many feature problems; ``total`` always counts all of them.
MAX_LISTED_PROBLEMS = 100


@dataclass(frozen=True)
class FeatureProblem:
    """One input feature that cannot be used.

    ``index`` is the feature's position in the input, counting from 0 (``features[index]`` of
    a GeoJSON FeatureCollection, the row of a file or table); ``id`` is its buurt code or id
    where it has one.
    """

    index: int
    id: str | None
    reason: str

    def as_dict(self) -> dict[str, object]:
        """The problem as a JSON object (``{"index", "id", "reason"}``)."""
        return {"index": self.index, "id": self.id, "reason": self.reason}


class WszError(Exception):
    """Base class of every error this project raises on purpose."""

    title = "Woonservicezones error"

    def extensions(self) -> dict[str, object]:
        """Extra members for an RFC 9457 problem body (none by default)."""
        return {}


class InputError(WszError, ValueError):
    """Input data that cannot be used as it is; nothing has been stored.

    ``problems`` lists up to :data:`MAX_LISTED_PROBLEMS` features at fault (index, id, reason)
    and ``total`` counts all of them; both are empty/0 for errors about the input as a whole.
    """

    title = "Invalid input"

    def __init__(
        self, message: str, problems: Sequence[FeatureProblem] = (), *, total: int | None = None
    ) -> None:
        super().__init__(message)
        self.problems = tuple(problems[:MAX_LISTED_PROBLEMS])
        self.total = len(problems) if total is None else total

    def extensions(self) -> dict[str, object]:
        """``errors`` (the listed problems) and ``total`` when features are at fault."""
        if not self.total:
            return {}
        return {"errors": [p.as_dict() for p in self.problems], "total": self.total}


class InvalidFeaturesError(InputError):
    """Features refused for more than one kind of reason; each is listed in ``problems``."""

    title = "Invalid features"


class LimitError(InputError):
    """Input beyond a configured limit (``limit`` and ``actual`` say by how much)."""

    title = "Input exceeds a limit"

    def __init__(
        self,
        message: str,
        *,
        limit: int,
        actual: int | None = None,
        problems: Sequence[FeatureProblem] = (),
    ) -> None:
        super().__init__(message, problems)
        self.limit = limit
        self.actual = actual

    def extensions(self) -> dict[str, object]:
        """The limit and the actual size, besides any features at fault."""
        members = {**super().extensions(), "limit": self.limit}
        if self.actual is not None:
            members["actual"] = self.actual
        return members


class TooLargeError(LimitError):
    """A body, upload or unpacked archive larger than allowed (bytes)."""

    title = "Input too large"


class TooManyFeaturesError(LimitError):
    """More features than ``max_features``."""

    title = "Too many features"


class TooManyVerticesError(LimitError):
    """Features with more vertices than ``max_vertices_per_feature``."""

    title = "Too many vertices in a feature"


class ReadError(InputError):
    """A file that cannot be opened or parsed (malformed, wrong format, missing)."""

    title = "Unreadable file"


class MissingColumnError(InputError):
    """A required column is absent; the message lists the columns that were found."""

    title = "Missing column"


class UnsafeArchiveError(ReadError):
    """A zip that is not opened: path traversal, links, encryption or a zip-bomb ratio."""

    title = "Unsafe archive"


class CrsError(InputError):
    """Missing, unknown or implausible coordinate reference system."""

    title = "Coordinate reference system problem"


class GeometryError(InputError):
    """Empty, missing or invalid geometries; the message names the features."""

    title = "Invalid geometry"


class ValueProblemError(InputError):
    """Attribute values that cannot be used (non-numeric coordinates, duplicate ids, ...)."""

    title = "Invalid value"


class UnknownCategoryError(InputError):
    """A voorziening category that is not in the vocabulary."""

    title = "Unknown voorziening category"


class ZoneDefinitionError(InputError):
    """A zone definition that does not fit the stored buurten."""

    title = "Invalid zone definition"


class NetworkError(InputError):
    """A street network that cannot be built or used: no walkable way, an extract that does
    not cover the buurten, a point too far from any walkable way."""

    title = "Street network problem"


class NoNetworkError(WszError, LookupError):
    """Walking routes, isochrones or distances asked for while no street network is loaded."""

    title = "No street network loaded"


class ConfigurationError(WszError, ValueError):
    """Settings or vocabulary that refuse to combine."""

    title = "Invalid configuration"


class QueryError(WszError, ValueError):
    """A request parameter that is out of range or malformed (bbox, lon/lat, ...)."""

    title = "Invalid query"


class ConflictError(WszError):
    """The request conflicts with what is stored: a scenario name already taken, a scenario
    computed on another version of the store."""

    title = "Conflict"


class NotFoundError(WszError, LookupError):
    """An unknown zone, buurt or map name."""

    title = "Not found"


class EmptyStoreError(WszError, LookupError):
    """The store holds no buurten yet."""

    title = "No data imported yet"


class DownloadError(WszError, OSError):
    """A download from PDOK or an OSM mirror failed or returned something unexpected."""

    title = "Download failed"


class ResultWriteError(WszError, OSError):
    """Results that cannot be written (a full disk, a file size limit, no permission); what
    was written completely before stays, nothing half-written is taken as finished."""

    title = "Cannot write results"


class DataQualityWarning(UserWarning):
    """Data that is usable but deserves a look: buurten in no zone, points outside zones."""


class StoreBusyError(WszError, TimeoutError):
    """Another import holds the store's lock longer than the caller waits (try again)."""

    title = "Store busy"


class UnsupportedMediaTypeError(InputError):
    """A request body or upload in a format this import does not read."""

    title = "Unsupported media type"


class CredentialsError(WszError, PermissionError):
    """A write without a valid API key (reads need none)."""

    title = "Not allowed"


class MissingCredentialsError(CredentialsError):
    """No API key came with a request that needs one."""

    title = "API key required"


class InvalidCredentialsError(CredentialsError):
    """An API key that matches none of the configured keys, or writes switched off."""

    title = "API key not accepted"
