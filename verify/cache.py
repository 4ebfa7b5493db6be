"""Verdicts cached by the property's dependency fingerprint (what of the spec its check can
read, `dependencies.py`), the verifier's and the model's code and the engine settings
(``.yakkan-cache/verify``), and an index of each request by a hash of the whole spec
folder (the terms too).

An unchanged re-run reads the verdicts back through the index without loading the spec or
starting Z3; after an edit, the spec is loaded, each property's fingerprint computed, and
only the properties whose fingerprint changed are checked again (issue 14 §5).

Each property's last verdict is also kept by the spec's path and the property's id
(:meth:`Cache.latest`), whatever the fingerprint: after an edit, a property last proved
is first proved again with that proof's lemmas (`incremental.py`, the fast path).
Every key holds ``FORMAT``: a new layout of the data never reads an old one.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from .runner import Verdict

CACHE_DIR = Path(".yakkan-cache") / "verify"
FORMAT = 2  # the layout of the cached data (2: verdicts with their proof, `latest`)


@cache
def code_fingerprint() -> str:
    """The verifier's and the model's source (with the terms parser the spec loader checks
    citations with, and the fast engine the random runs and replays run on): a change of
    any invalidates verdicts."""
    h = hashlib.sha256()
    here = Path(__file__).resolve().parent
    simulate = here.parent / "simulate"
    files = [*sorted(here.glob("*.py")), *sorted((here.parent / "model").glob("*.py")),
             here.parent / "terms" / "structure.py",
             *(simulate / f for f in ("fast.py", "codegen.py", "monitors.py", "recording.py"))]  # fmt: skip
    for f in files:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:20]


MAX_SPEC_FOLDER_FILES = 10_000


def spec_fingerprint(spec_path: Path) -> str:
    """The spec file and everything beside it (the terms text it cites). A file larger than
    an input may be (a symlink to /proc/kcore, a video) counts by its size and time, never
    read; a folder of more than MAX_SPEC_FOLDER_FILES files is bad input."""
    from yakkan.model.errors import InputError
    from yakkan.model.limits import read_input_bytes

    h = hashlib.sha256()
    spec_path = spec_path.resolve()
    h.update(without_reread(read_input_bytes(spec_path)))
    for n, f in enumerate(sorted(spec_path.parent.rglob("*"))):
        if n >= MAX_SPEC_FOLDER_FILES:
            raise InputError(f"the spec's folder {spec_path.parent} holds more than {MAX_SPEC_FOLDER_FILES:,} files",
                             hint="keep a spec in its own folder, with its terms text")  # fmt: skip
        if f.is_file() and f != spec_path and not f.name.startswith("."):
            h.update(str(f.relative_to(spec_path.parent)).encode())
            h.update(_content_or_stamp(f))
    return h.hexdigest()[:20]


def without_reread(spec_bytes: bytes) -> bytes:
    """The spec without its top-level `reread:` block: recording that an article was re-read
    (`yakkan review --reread`) changes no verdict, so it keeps the cached ones."""
    out, skipping = [], False
    for line in spec_bytes.splitlines(keepends=True):
        if line.startswith(b"reread:"):
            skipping = True
            continue
        if skipping and line[:1] not in (b" ", b"\t", b"\n", b"\r", b"#", b""):
            skipping = False
        if not skipping:
            out.append(line)
    return b"".join(out)


def _content_or_stamp(f: Path) -> bytes:
    from yakkan.model.limits import MAX_INPUT_BYTES

    st = f.stat()
    if st.st_size > MAX_INPUT_BYTES or not st.st_size:  # too large to be an input, or a /proc file
        return f"{st.st_size}:{st.st_mtime_ns}:{f.resolve()}".encode()
    with open(f, "rb") as fh:
        return fh.read(MAX_INPUT_BYTES + 1)


class Cache:
    def __init__(self, root: Path = CACHE_DIR, enabled: bool = True) -> None:
        self.root = root
        self.enabled = enabled

    def _path(self, *parts: str) -> Path:
        key = hashlib.sha256("|".join((f"format{FORMAT}", *parts)).encode()).hexdigest()[:32]
        return self.root / f"{key}.json"

    def _read(self, path: Path) -> Any:
        if not self.enabled or not path.exists():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _write(self, path: Path, data: Any) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            tmp.replace(path)
        except OSError:
            pass  # a cache that cannot be written only costs time

    def verdict(self, fingerprint: str, settings_key: str, pid: str,
                fingerprint_all: str | None = None) -> Verdict | None:  # fmt: skip
        """The verdict of ``pid`` computed for a system with this dependency fingerprint.
        A verdict with a story or a scenario (their figures are the spec's at the time) is
        only reused when ``fingerprint_all`` (every parameter's default counted) is the
        same too; ``None``: not checked (the whole folder is unchanged)."""
        data = self._read(self._path("verdict", fingerprint, code_fingerprint(), settings_key, pid))
        if data is None:
            return None
        try:
            v = Verdict.from_data(data)
        except TypeError:
            return None
        if v.fingerprint != fingerprint:
            return None
        if fingerprint_all is not None and (v.story or v.scenario_text or v.witnesses) \
                and v.fingerprint_all != fingerprint_all:  # fmt: skip
            return None
        v.cached = True
        return v

    def put_verdict(self, settings_key: str, v: Verdict) -> None:
        """``v`` under its own ``fingerprint``."""
        self._write(self._path("verdict", v.fingerprint, code_fingerprint(), settings_key, v.id), v.to_data())

    def latest(self, spec_path: Path, settings_key: str, pid: str, own: str) -> Verdict | None:
        """The last verdict checked of ``pid`` in the spec at ``spec_path`` (any version of
        it) with these settings, if the property itself (``own``: `Fingerprints.own`) is
        the same; else None."""
        data = self._read(self._path("latest", str(Path(spec_path).resolve()), code_fingerprint(), settings_key, pid))
        if not isinstance(data, dict) or data.get("own") != own:
            return None
        try:
            return Verdict.from_data(data["verdict"])
        except (TypeError, KeyError):
            return None

    def put_latest(self, spec_path: Path, settings_key: str, v: Verdict, own: str) -> None:
        """``v`` as the last verdict of its property in the spec at ``spec_path``."""
        path = self._path("latest", str(Path(spec_path).resolve()), code_fingerprint(), settings_key, v.id)
        self._write(path, {"own": own, "verdict": v.to_data()})

    def entry(self, *parts: str) -> Any:
        """Any JSON value stored under ``parts`` (with the code's fingerprint), or None."""
        return self._read(self._path(*parts, code_fingerprint()))

    def put_entry(self, data: Any, *parts: str) -> None:
        self._write(self._path(*parts, code_fingerprint()), data)

    def timings(self) -> dict[str, float]:
        """Seconds each property took when last checked (any spec): a scheduling hint only,
        read even when cached verdicts are not used."""
        try:
            data = json.loads((self.root / "timings.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): float(v) for k, v in data.items() if isinstance(v, int | float)}

    def put_timings(self, seconds: dict[str, float]) -> None:
        self._write(self.root / "timings.json", {**self.timings(), **{k: round(v, 3) for k, v in seconds.items()}})

    def index(self, spec_fp: str, request: str) -> dict[str, Any] | None:
        """What a run asked for resolves to: the property ids and the spec's identity."""
        return self._read(self._path("index", spec_fp, code_fingerprint(), request))

    def put_index(self, spec_fp: str, request: str, data: dict[str, Any]) -> None:
        self._write(self._path("index", spec_fp, code_fingerprint(), request), data)
