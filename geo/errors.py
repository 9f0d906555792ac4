"""One exception hierarchy for the domain; the API maps each class to an HTTP status.

Every message says *what* is wrong and *where* (file, row, code) and, where it can, how to
fix it. Nothing in ``geo`` chooses an HTTP status.
"""

from __future__ import annotations


class WszError(Exception):
    """Base class of every error this project raises on purpose."""

    title = "Woonservicezones error"


class InputError(WszError, ValueError):
    """Input data that cannot be used as it is; nothing has been stored."""

    title = "Invalid input"


class ReadError(InputError):
    """A file that cannot be opened or parsed (malformed, wrong format, missing)."""

    title = "Unreadable file"


class MissingColumnError(InputError):
    """A required column is absent; the message lists the columns that were found."""

    title = "Missing column"


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


class ConfigurationError(WszError, ValueError):
    """Settings or vocabulary that refuse to combine."""

    title = "Invalid configuration"


class QueryError(WszError, ValueError):
    """A request parameter that is out of range or malformed (bbox, lon/lat, ...)."""

    title = "Invalid query"


class NotFoundError(WszError, LookupError):
    """An unknown zone, buurt or map name."""

    title = "Not found"


class EmptyStoreError(WszError, LookupError):
    """The store holds no buurten yet."""

    title = "No data imported yet"


class DownloadError(WszError, OSError):
    """A download from PDOK or an OSM mirror failed or returned something unexpected."""

    title = "Download failed"


class DataQualityWarning(UserWarning):
    """Data that is usable but deserves a look: buurten in no zone, points outside zones."""
