"""Settings of ``wsz batch``: the Dask cluster it starts and how long it waits for one.

Values come from ``WSZ_BATCH_*`` environment variables or ``.env``. The defaults suit a laptop
or the 2-core machine of the benchmark: two worker processes of one thread each (the work of a
gemeente is NumPy/SciPy in one thread), 4 GB each (a gemeente's network and resident points
take well under 1 GB; the margin is for the largest cities).
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class BatchSettings(BaseSettings):
    """How ``wsz batch`` distributes its gemeenten."""

    model_config = SettingsConfigDict(env_prefix="WSZ_BATCH_", env_file=".env", extra="ignore")

    workers: int = Field(
        default=2, ge=1, le=512, description="Worker processes of the LocalCluster."
    )
    threads_per_worker: int = Field(default=1, ge=1, le=64)
    memory_per_worker: str = Field(
        default="4GB",
        pattern=r"^\d+(\.\d+)?\s*([kKmMgGtT]i?[bB])?$",
        description="Memory limit of each worker (Dask restarts a worker over it), e.g. 4GB.",
    )
    processes: bool = Field(default=True, description="Workers as processes (else threads).")
    retries: int = Field(
        default=1,
        ge=0,
        le=10,
        description="Tries more for a gemeente whose worker died (the LocalCluster's allowed "
        "failures) or whose task raised; then it is reported as failed.",
    )
    scheduler_timeout_s: float = Field(
        default=10.0, gt=0, description="How long to wait for a scheduler given by address."
    )
    min_cover: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Least share of a gemeente's buurten area the extract must cover; a "
        "gemeente covered less is reported, not computed.",
    )
