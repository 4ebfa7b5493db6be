"""Limits on what an input may ask for, and safe reading and writing of files.

Spec, scenario, profiles and terms files arrive in pull requests, so none of them may make
yakkan read without end, expand without end, recurse without end, run for years or write
outside the folder it was given. Every limit here is a clear InputError (exit 2) with a
`fix:` line, raised before the work it guards starts.

Reading: an input must be a regular file (a FIFO, a device or a folder is refused before
it is opened) of at most MAX_INPUT_BYTES, and UTF-8. Writing (`write_output`): through a
temporary file beside the target, renamed into place; only onto a regular file or a new
path (a symlink is written through to its target); devices, FIFOs and folders are refused.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from .errors import MAX_ECHO, InputError, clip

__all__ = ["MAX_ECHO", "clip"]  # re-exported for the readers

MAX_INPUT_BYTES = 4 * 1024 * 1024  # any input file (spec, scenario, profiles, terms, results)
MAX_YAML_NODES = 50_000  # YAML values once aliases are expanded (the bundled spec has 4,290)
MAX_YAML_DEPTH = 64  # nesting of mappings and sequences (the bundled spec nests 7 deep)
MAX_LINE_CHARS = 10_000  # a line of a YAML file (the bundled files' longest has 1,670): see yamlio.read_yaml
MAX_YEARS = 100  # a scenario's span; a simulation's horizon
MAX_MONTHS = 12 * MAX_YEARS
MAX_CUSTOMERS = 1_000_000
MAX_WORKERS = 64
MAX_YEN = 10**12  # contract parameters and amounts in scenarios and profiles
PROOF_YEN = 10_000_000  # the verifier's domain: what the proofs cover (verify/encoding.py bounds)
FIRST_YEAR, LAST_YEAR = 1900, 2200  # dates a spec's meta may carry

STANDARD_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}"
    for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq", "omap", "merge")
)


# -- reading ---------------------------------------------------------------------------------


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _refuse_special(path: Path, mode: int, error: type[InputError]) -> None:
    if not stat.S_ISREG(mode):
        raise error(f"{_kind(mode)}, not a regular file", path=path,
                    hint="give the path of a file (yakkan reads only regular files)")  # fmt: skip


def _too_large(path: Path, error: type[InputError]) -> InputError:
    return error(f"larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB, the limit for an input file", path=path,
                 hint="split the file, or check that this is the file you meant")  # fmt: skip


def read_input_bytes(path: str | Path, error: type[InputError] = InputError) -> bytes:
    """The bytes of the regular file at `path` (at most MAX_INPUT_BYTES), never blocking."""
    path = Path(path)
    try:
        st = os.stat(path)
        _refuse_special(path, st.st_mode, error)
        if st.st_size > MAX_INPUT_BYTES:
            raise _too_large(path, error)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise error("file not found", path=path, hint="check the path") from None
    except OSError as exc:
        raise error(f"cannot read the file ({exc.strerror})", path=path,
                    hint="check the path and the file's permissions") from None  # fmt: skip
    with os.fdopen(fd, "rb") as fh:
        _refuse_special(path, os.fstat(fh.fileno()).st_mode, error)  # it may have been swapped meanwhile
        data = fh.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise _too_large(path, error)
    return data


def decode_text(data: bytes, path: Path, error: type[InputError] = InputError, encoding: str = "utf-8") -> str:
    """`data` decoded as UTF-8; other encodings (Shift_JIS …) get a hint to convert."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        guess = _guess_encoding(data)
        what = f"not UTF-8 text (it looks like {guess})" if guess else f"not UTF-8 text ({exc.reason})"
        source = {"Shift_JIS": "SHIFT_JIS", "EUC-JP": "EUC-JP"}.get(guess or "", "SHIFT_JIS")
        raise error(what, path=path, line=line,
                    hint=f"convert it to UTF-8, e.g. iconv -f {source} -t UTF-8 {path.name} > utf8.yaml"
                    ) from None  # fmt: skip


def _guess_encoding(data: bytes) -> str | None:
    for codec, name in (("shift_jis", "Shift_JIS"), ("euc_jp", "EUC-JP")):
        try:
            data.decode(codec)
        except UnicodeDecodeError:
            continue
        return name
    return None


def read_input_text(path: str | Path, error: type[InputError] = InputError, encoding: str = "utf-8") -> str:
    """The text of the regular file at `path`: size-limited, UTF-8 (see `decode_text`)."""
    path = Path(path)
    return decode_text(read_input_bytes(path, error), path, error, encoding)


# -- ranges ------------------------------------------------------------------------------------


def check_count(value: int, name: str, low: int, high: int, example: str) -> int:
    """`value` of the command-line option `name` within [low, high], else an InputError."""
    if not low <= value <= high:
        raise InputError(f"must be between {low:,} and {high:,}, got {value:,}", where=name,
                         hint=f"e.g. {name} {example}")  # fmt: skip
    return value


SIMULATION_DEFAULTS = {"customers": 200, "months": 36, "seed": 0}  # a `--simulate`'s options (review, what-if)


def simulation_options(args: Any, defaults: dict[str, int] = SIMULATION_DEFAULTS) -> None:
    """The options of a `--simulate` (`defaults`: each option's name and default) set on
    ``args``, checked before anything runs: an option given without ``--simulate`` is an
    InputError (it would be silently ignored), and so are counts out of range."""
    simulate = getattr(args, "simulate", False)
    for option, default in defaults.items():
        given = getattr(args, option, None)
        if given is not None and not simulate:
            raise InputError(f"--{option} is for the simulation, and nothing is simulated", where=f"--{option}",
                             hint="add --simulate, or leave it out")  # fmt: skip
        setattr(args, option, default if given is None else given)
    if simulate:
        check_count(args.customers, "--customers", 1, MAX_CUSTOMERS, str(defaults["customers"]))
        check_count(args.months, "--months", 1, MAX_MONTHS, str(defaults["months"]))


def date_in_range(day: dt.date) -> bool:
    """Whether `day` lies within FIRST_YEAR..LAST_YEAR."""
    return FIRST_YEAR <= day.year <= LAST_YEAR


def yen_problem(value: int) -> str | None:
    """Why an amount of yen is out of the model's range, or None."""
    if abs(value) > MAX_YEN:
        return (f"{clip(value, 40)} yen is beyond the limit of ¥{MAX_YEN:,} for an amount "
                f"(the proofs of `yakkan verify` cover fees up to ¥{PROOF_YEN:,})")  # fmt: skip
    return None


def span_problem(first_day: int, last_day: int) -> str | None:
    """Why a run from `first_day` to `last_day` (ordinals) is too long or out of range, or None."""
    first, last = dt.date.fromordinal(first_day), dt.date.fromordinal(last_day)
    if not (date_in_range(first) and date_in_range(last)):
        return f"the dates {first} … {last} are not all within {FIRST_YEAR}–{LAST_YEAR}"
    if last_day - first_day > MAX_YEARS * 366:
        return f"{first} … {last} spans more than {MAX_YEARS} years, the limit for one run"
    return None


# -- writing -------------------------------------------------------------------------------------


def safe_file_name(name: str) -> bool:
    """Whether `name` is one plain file name (no folder part, no '..', no control character)."""
    return (
        bool(name) and name not in (".", "..") and "/" not in name and "\\" not in name
        and not any(ord(c) < 32 or ord(c) == 127 for c in name) and len(name) <= 200
    )  # fmt: skip


def path_in(folder: str | Path, name: str) -> Path:
    """`folder/name`, refusing a `name` that would leave `folder`."""
    folder = Path(folder)
    if not safe_file_name(name):
        raise InputError(f"refusing to write '{clip(name, 80)}': not a plain file name", path=folder,
                         hint="names that become file names are letters, digits, '_' and '-' only")  # fmt: skip
    target = folder / name
    real_folder = os.path.realpath(folder)
    if os.path.dirname(os.path.realpath(target)) != real_folder and not os.path.islink(target):
        raise InputError(f"refusing to write '{name}': it would land outside {folder}", path=folder,
                         hint="give a plain file name")  # fmt: skip
    return target


def check_output_folder(folder: str | Path, option: str = "--out") -> Path:
    """`folder` if it is a folder or a new path; a file, device or FIFO there is an InputError."""
    folder = Path(folder)
    try:
        st = os.stat(folder)
    except FileNotFoundError:
        return folder
    except OSError as exc:
        raise InputError(f"cannot use {folder} ({exc.strerror})", where=option,
                         hint=f"give {option} a folder") from None  # fmt: skip
    if not stat.S_ISDIR(st.st_mode):
        what = "a file" if stat.S_ISREG(st.st_mode) else _kind(st.st_mode)
        raise InputError(f"{folder} exists and is {what}, not a folder", where=option,
                         hint=f"give {option} a folder (new or existing)")  # fmt: skip
    return folder


def _writable_target(path: Path) -> tuple[Path, int | None]:
    """The real path to replace (a symlink's target) and its mode, refusing special files."""
    real = Path(os.path.realpath(path))
    try:
        st = os.stat(real)
    except FileNotFoundError:
        return real, None
    except OSError as exc:  # a file where a folder should be, a symlink loop, a name too long
        raise _cannot_write(path, exc, "output") from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{path} is {_kind(st.st_mode)}; yakkan writes only regular files", where="output",
                         hint="give the path of a new or regular file")  # fmt: skip
    return real, stat.S_IMODE(st.st_mode)


def _cannot_write(path: Path, exc: OSError, option: str) -> InputError:
    hint = "check that each folder on the path is a folder, and the path has no symlink loop"
    return InputError(f"cannot write {path} ({exc.strerror})", where=option, hint=hint)


def check_output_file(path: str | Path, option: str = "-o") -> Path:
    """`path` if yakkan may write it (a regular file or a new path); checked before the work starts."""
    path = Path(path)
    real = Path(os.path.realpath(path))
    try:
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        return path
    except OSError as exc:  # a file where a folder should be, a symlink loop, a name too long
        raise _cannot_write(path, exc, option) from None
    if not stat.S_ISREG(mode):
        raise InputError(f"{path} is {_kind(mode)}; yakkan writes only regular files", where=option,
                         hint=f"give {option} the path of a new or regular file")  # fmt: skip
    return path


def write_output(path: str | Path, data: bytes | str) -> Path:
    """Write `data` to `path` atomically (temporary file beside it, renamed into place).

    A symlink is written through to its target; a device, FIFO or folder is refused
    (InputError), and so is a failure to write (disk full, no permission)."""
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    real, mode = _writable_target(path)
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent)
    except OSError as exc:
        raise InputError(f"cannot write {path} ({exc.strerror})", where="output",
                         hint="check that the folder exists and is writable") from None  # fmt: skip
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
        os.chmod(tmp, mode if mode is not None else 0o666 & ~_umask())
        os.replace(tmp, real)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"cannot write {path} ({exc.strerror})", where="output",
                         hint="check the free space and the permissions of the folder") from None  # fmt: skip
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_in(folder: str | Path, name: str, data: bytes | str) -> Path:
    """Write `data` as the file `name` inside `folder` (see `path_in` and `write_output`)."""
    return write_output(path_in(folder, name), data)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
