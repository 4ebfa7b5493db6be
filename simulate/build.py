"""The fused customer loop compiled with Cython, cached by what it is generated from.

The generated source (`simulate.fused`) is a function of the spec, the profiles and the
generator's version, and nothing else (the seed and the months reach the loop as data),
so the hash of that source — with Cython's version and the interpreter's ABI tag — names
the compiled module in the cache folder: `$YAKKAN_CACHE`, else `$XDG_CACHE_HOME/yakkan`,
else `~/.cache/yakkan`, else `.yakkan-cache` in the working folder (never a tracked file
of the repository). A module is written to a temporary name and renamed into place, so
two processes building the same loop never read half a file.

    python -m yakkan.simulate.build [SPEC] [PROFILES]   # build (scripts/setup.sh does it)

Where Cython or a C compiler is missing, or the build fails, `load` returns None and the
runner uses the same generated loop as plain Python.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

from .fused import GENERATOR_VERSION, Generator

CFLAGS = ("-Og", "-fPIC", "-shared", "-w")  # see the README: -O1 and -O2 take minutes on the one big function


def cache_dir() -> Path:
    env = os.environ.get("YAKKAN_CACHE")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    candidate = base / "yakkan"
    try:
        candidate.mkdir(parents=True, exist_ok=True)
        if os.access(candidate, os.W_OK):
            return candidate
    except OSError:
        pass
    return Path(".yakkan-cache")


def _cython_version() -> str | None:
    try:
        import Cython
    except ImportError:
        return None
    return str(Cython.__version__)


def module_name(source: str) -> str:
    """`yk_<hash>`: the hash of the generated source, Cython's version and the ABI."""
    h = hashlib.sha256()
    for part in (source, GENERATOR_VERSION, _cython_version() or "", sysconfig.get_config_var("EXT_SUFFIX") or ""):
        h.update(part.encode())
        h.update(b"\0")
    return "yk_" + h.hexdigest()[:24]


def module_path(name: str) -> Path:
    return cache_dir() / f"{name}{sysconfig.get_config_var('EXT_SUFFIX')}"


def _import(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def compiler() -> str | None:
    cc = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    exe = cc.split()[0]
    return cc if shutil.which(exe) else None


def build(source: str, name: str, log: Any = None) -> Path:
    """Compile `source` (Cython) into the cache as module `name`; its path. Raises
    RuntimeError with the compiler's message when the build fails."""
    cc = compiler()
    if _cython_version() is None or cc is None:
        raise RuntimeError("Cython or a C compiler is missing")
    target = module_path(name)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="yakkan-build-") as tmp:
        pyx = Path(tmp) / f"{name}.pyx"
        pyx.write_text(source, encoding="utf-8")
        c_file = pyx.with_suffix(".c")
        steps = [
            [sys.executable, "-m", "cython", "-3", str(pyx), "-o", str(c_file)],
            [*cc.split(), *CFLAGS, f"-I{sysconfig.get_paths()['include']}", str(c_file), "-o",
             str(Path(tmp) / target.name)],
        ]  # fmt: skip
        for cmd in steps:
            if log:
                log(" ".join(Path(c).name if c.startswith(tmp) else c for c in cmd[:3]) + " …")
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"{cmd[0]} failed: {(done.stderr or done.stdout)[-2000:]}")
        partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        shutil.copyfile(Path(tmp) / target.name, partial)
        os.replace(partial, target)
    return target


def load(model: Any, portfolio: Any, seed: int, months: int, compile_missing: bool = True) -> Any:
    """The compiled loop's `run_customers` (from the cache, built first when missing and
    `compile_missing`), or None where it cannot be had (the plain-Python loop then runs)."""
    if os.environ.get("YAKKAN_NO_COMPILE"):
        return None
    source = Generator(model, portfolio, seed, months, cython=True).source()
    name = module_name(source)
    path = module_path(name)
    if not path.exists():
        if not compile_missing:
            return None
        try:
            build(source, name)
        except (RuntimeError, OSError):
            return None
    try:
        module = sys.modules.get(name) or _import(name, path)
    except ImportError:
        return None
    sys.modules[name] = module
    return module.run_customers


def main(argv: list[str] | None = None) -> int:
    """Build the loop of a spec and its profiles (default: the bundled model) into the cache."""
    import time

    from .engines import Model
    from .profiles import load_profiles
    from .runner import DEFAULT_SPEC

    args = list(sys.argv[1:] if argv is None else argv)
    spec_path = Path(args[0]) if args else DEFAULT_SPEC
    profiles_path = Path(args[1]) if len(args) > 1 else spec_path.parent / "profiles.yaml"
    t = time.perf_counter()
    model = Model.load(spec_path)
    portfolio = load_profiles(profiles_path, model.spec)
    source = Generator(model, portfolio, 0, 1, cython=True).source()
    name = module_name(source)
    path = module_path(name)
    if path.exists():
        print(f"simulate loop: cached ({path})")
        return 0
    try:
        build(source, name, log=lambda m: print(f"simulate loop: {m}", flush=True))
    except RuntimeError as exc:
        print(f"simulate loop: not compiled, the plain-Python loop will run ({str(exc).splitlines()[0]})")
        return 0
    print(f"simulate loop: built in {time.perf_counter() - t:.0f} s ({path})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
