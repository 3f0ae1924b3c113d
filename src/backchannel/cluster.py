"""The one parallel engine: a Dask cluster, local or remote, opened from ``--cluster``.

Why Dask (``dask.distributed``): pure Python, a :class:`~distributed.LocalCluster` of processes
for one machine and for tests, and the same code against a scheduler on many machines
(started by hand, by dask-jobqueue on HPC, by dask-kubernetes).  Nothing here imports Dask at
module level: without ``--cluster`` a command stays in-process and never pays for it.

``--cluster`` takes:

* ``local`` or ``local:N``: a LocalCluster of N single-threaded worker processes (default: one
  per available CPU), closed when the command ends;
* ``tcp://HOST:PORT`` (or ``tls://``): an existing scheduler; its workers must see the input and
  output paths (a shared file system) and have backchannel installed.

What runs on the cluster are pieces (:mod:`backchannel.shards`): a task reads its piece from
disk, writes its output shard to disk and returns small counts, so nothing big travels through
the scheduler.  Heavy state (a model, a scorer's tables) is built once per worker process by
:func:`worker_cached` and reused by every task that worker runs.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import re
import secrets
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from backchannel.errors import InputError
from backchannel.progress import track

__all__ = [
    "ClusterSpec",
    "available_cpus",
    "check_folder_target",
    "open_client",
    "parse_cluster",
    "run_tasks",
    "shared_local_client",
    "worker_cached",
]

T = TypeVar("T")
R = TypeVar("R")

#: Memory each local worker may use before Dask pauses, then restarts it (bounded, not the
#: machine's share): pieces are a few dozen MB, models a few hundred.
LOCAL_MEMORY = "2GiB"
_SPEC = re.compile(r"^local(?::(?P<n>\d+))?$")


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class ClusterSpec:
    """A parsed ``--cluster``: ``address`` of a scheduler, or ``workers`` of a local cluster."""

    address: str | None = None
    workers: int | None = None

    @property
    def local(self) -> bool:
        return self.address is None


def parse_cluster(value: str) -> ClusterSpec:
    """Parse ``local``, ``local:N`` or ``tcp://HOST:PORT``.

    Raises:
        InputError: anything else, or ``local:0``.
    """
    text = value.strip()
    match = _SPEC.match(text)
    if match:
        n = int(match["n"]) if match["n"] else available_cpus()
        if n < 1:
            raise InputError(f"--cluster {value}: a local cluster needs at least 1 worker")
        return ClusterSpec(workers=n)
    if re.match(r"^(tcp|tls|ucx|inproc)://[^\s/]+$", text):
        return ClusterSpec(address=text)
    raise InputError(
        f"--cluster {value!r} is neither local[:N] nor a scheduler address",
        hint="e.g. --cluster local:4 or --cluster tcp://10.0.0.5:8786",
    )


@contextlib.contextmanager
def open_client(
    spec: ClusterSpec | str, *, memory_limit: str | int = LOCAL_MEMORY, timeout: float = 20.0
) -> Iterator[Any]:
    """A ``distributed.Client`` for ``spec``; a local cluster is closed on exit.

    Local workers are processes with one thread each (no nested pools: a worker that runs a
    model runs one piece at a time), a memory limit, no dashboard and quiet logs.

    Raises:
        InputError: the scheduler cannot be reached (its address named).
    """
    if isinstance(spec, str):
        spec = parse_cluster(spec)
    from dask import config
    from distributed import Client, LocalCluster

    quiet = {"distributed.worker.daemon": False, "logging.distributed": "error"}
    with config.set(quiet):
        if spec.local:
            cluster = LocalCluster(
                n_workers=spec.workers,
                threads_per_worker=1,
                processes=True,
                memory_limit=memory_limit,
                dashboard_address=":0",  # a free port: never clashes with another run
                silence_logs=logging.ERROR,
            )
            try:
                with Client(cluster) as client:
                    yield client
            finally:
                cluster.close()
            return
        try:
            client = Client(spec.address, timeout=timeout)
        except (OSError, TimeoutError) as exc:
            raise InputError(
                f"cannot reach the Dask scheduler at {spec.address} ({type(exc).__name__})",
                hint="start one with: dask scheduler; and workers with: dask worker ADDRESS",
            ) from None
        with client:
            yield client


_SHARED: dict[tuple[int, str | int], Any] = {}
_SHARED_LOCK = threading.Lock()


def shared_local_client(workers: int, *, memory_limit: str | int = LOCAL_MEMORY) -> Any:
    """A local cluster's client of ``workers`` processes, started once per process and kept.

    Why: starting a LocalCluster costs 4 to 7 s, more than counting a few thousand documents;
    a library caller (a notebook, a test suite, a script scoring many runs) calling
    ``score(..., workers=N)`` repeatedly reuses one cluster per ``N``.  Workers hold no state
    that changes a result (:func:`worker_cached` keys by run), so reuse is bit-identical.  The
    clusters are closed when the process exits; one whose scheduler went away is replaced.
    """
    key = (workers, memory_limit)
    with _SHARED_LOCK:
        entry = _SHARED.get(key)
        if entry is not None and entry[0].status == "running":
            return entry[0]
        if entry is not None:
            _close_shared(key)
        if not _SHARED:
            atexit.register(_close_all_shared)
        ctx = open_client(ClusterSpec(workers=workers), memory_limit=memory_limit)
        client = ctx.__enter__()
        _SHARED[key] = (client, ctx)
        return client


def _close_shared(key: tuple[int, str | int]) -> None:
    _client, ctx = _SHARED.pop(key)
    with contextlib.suppress(Exception):
        ctx.__exit__(None, None, None)


def _close_all_shared() -> None:
    """Close every shared local cluster (at exit; also callable by tests)."""
    if _SHARED:  # at exit the log streams may be closed already: nothing to say anyway
        logging.getLogger("distributed").setLevel(logging.CRITICAL)
    with _SHARED_LOCK:
        for key in list(_SHARED):
            _close_shared(key)


_CACHE: dict[Any, Any] = {}
_CACHE_SIZE = 4


def worker_cached(key: Any, build: Callable[[], T]) -> T:
    """The object ``build()`` makes, built once per worker process and kept for its lifetime.

    Why: a spaCy pipeline or a scorer's tables cost seconds to build; every piece a worker
    runs reuses the one it built (from the model *path*, never a pickled pipeline).  ``key``
    names what is built (model name, directory, schema version...).
    """
    try:
        value = _CACHE.pop(key)
    except KeyError:
        value = build()
    _CACHE[key] = value  # most recently used last
    while len(_CACHE) > _CACHE_SIZE:  # a long-lived worker serves many runs: stay bounded
        del _CACHE[next(iter(_CACHE))]
    return value


def run_tasks(
    client: Any,
    fn: Callable[..., R],
    items: Sequence[T],
    *args: Any,
    description: str,
    progress: bool = True,
    **kwargs: Any,
) -> list[R]:
    """Run ``fn(item, *args, **kwargs)`` for every item on the cluster; results in item order.

    Tasks are submitted ``pure=False`` (each run is its own), retried by Dask when a worker
    dies; progress advances as futures complete.  The first task to raise makes the others
    cancelled and its exception raised here (a :class:`~backchannel.errors.BackchannelError`
    keeps its type and location).
    """
    from distributed import as_completed

    if not items:
        return []
    token = secrets.token_hex(6)  # keys unique per run: a shared scheduler never mixes runs
    futures = [
        client.submit(
            fn, item, *args, pure=False, retries=2, key=f"{description}-{token}-{i}", **kwargs
        )
        for i, item in enumerate(items)
    ]
    index = {f.key: i for i, f in enumerate(futures)}
    results: list[Any] = [None] * len(items)
    done = as_completed(futures)
    try:
        finished = track(done, description, total=len(futures)) if progress else done
        for future in finished:
            results[index[future.key]] = future.result()
    finally:
        client.cancel(futures)
    return results


def map_pieces(
    fn: Callable[..., R],
    items: Sequence[T],
    *args: Any,
    cluster: str | ClusterSpec | Any | None,
    description: str,
    progress: bool = True,
    **kwargs: Any,
) -> list[R]:
    """``fn(item, *args, **kwargs)`` for every item: in this process, or on ``cluster``.

    ``cluster`` is None (in-process, in order, no Dask imported), a ``--cluster`` value, or an
    open ``distributed.Client`` (reused, not closed).  The same ``fn`` runs either way, so the
    in-process run is the reference the cluster run must equal.
    """
    if cluster is None:
        seq = track(items, description, total=len(items)) if progress else items
        return [fn(item, *args, **kwargs) for item in seq]
    if isinstance(cluster, str | ClusterSpec):
        with open_client(cluster) as client:
            return run_tasks(
                client, fn, items, *args, description=description, progress=progress, **kwargs
            )
    return run_tasks(
        cluster, fn, items, *args, description=description, progress=progress, **kwargs
    )


def check_folder_target(target: Path) -> None:
    """Refuse to replace a folder that is not a backchannel shard folder (nor empty)."""
    from backchannel.shards import MANIFEST

    if target.exists():
        if not target.is_dir():
            raise InputError("exists and is not a folder", path=target)
        if any(target.iterdir()) and not (target / MANIFEST).is_file():
            raise InputError(
                "folder exists and is not a backchannel shard folder (no "
                f"{MANIFEST}); not replacing it",
                path=target,
                hint="name a new or empty folder",
            )


def write_sharded(
    fn: Callable[..., Any],
    pieces: Sequence[Any],
    output: str | Path,
    *args: Any,
    cluster: Any = None,
    description: str,
    progress: bool = True,
    meta: dict[str, Any] | None = None,
    concat: Callable[[Path, list[str], str], Any] | None = None,
) -> list[Any]:
    """Run ``fn(piece, folder, *args) -> ShardInfo`` for every piece into ``output``.

    ``output`` ending in ``/`` (or an existing folder): a folder of shards plus the manifest,
    built under a temporary name beside it and renamed into place when complete (a previous
    shard folder is replaced in one step).  Otherwise one file: the shards concatenated in
    piece order (by ``concat``, default byte concatenation), written atomically; ``-`` is
    standard output.  Either way a failed or killed run leaves no output that looks finished.

    Returns:
        The :class:`~backchannel.shards.ShardInfo` of every piece, in piece order.
    """
    import shutil
    import tempfile

    from backchannel.atomic import STDIO, atomic_directory, recover_leftovers
    from backchannel.shards import concatenate, is_folder_output, write_manifest

    text = str(output)
    if is_folder_output(text):
        target = Path(text.rstrip("/" + os.sep) or text)
        check_folder_target(target)
        with atomic_directory(target, overwrite=True) as build:
            infos = map_pieces(
                fn, pieces, str(build.resolve()), *args, cluster=cluster,
                description=description, progress=progress,
            )  # fmt: skip
            _drop_temporaries(build)
            write_manifest(build, infos, **(meta or {}))
        return infos
    parent = Path.cwd() if text == STDIO else Path(os.path.abspath(text)).parent
    parent.mkdir(parents=True, exist_ok=True)
    name = "stdout" if text == STDIO else Path(text).name
    recover_leftovers(parent / name)
    build = Path(tempfile.mkdtemp(prefix=f".{name}.{os.getpid()}.", suffix=".tmp", dir=parent))
    try:
        infos = map_pieces(
            fn, pieces, str(build), *args, cluster=cluster, description=description,
            progress=progress,
        )  # fmt: skip
        names = [i.name for i in infos]
        (concat or concatenate)(build, names, text)
    finally:
        shutil.rmtree(build, ignore_errors=True)
    return infos


def _drop_temporaries(folder: Path) -> None:
    """Remove what killed tasks left (``.NAME.PID.XXXX.tmp``); their pieces were re-run."""
    for path in folder.rglob(".*.tmp"):
        with contextlib.suppress(OSError):
            path.unlink()
