"""Hostile input: files from pull requests and command lines that try to escape the output
folder, exhaust time or memory, smuggle objects or look-alike names, or hide in special
files. Each is refused with exit status 2, `file:line: where: what` and a `fix:` line,
quickly, and writes nothing; Ctrl-C stops a command with status 130 and no traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from yakkan.cli import main
from yakkan.model.errors import InputError, ScenarioError, SpecError
from yakkan.model.limits import (
    MAX_INPUT_BYTES,
    check_output_file,
    path_in,
    read_input_text,
    write_in,
    write_output,
)
from yakkan.model.scenario import load_scenario
from yakkan.model.spec import load_spec

from conftest import SCENARIOS, SPEC_PATH, copy_spec_folders, interruptible_as_from_a_terminal

SPEC_TEXT = SPEC_PATH.read_text(encoding="utf-8")
PROFILES_PATH = SPEC_PATH.parent / "profiles.yaml"
SCENARIO_TEXT = (SCENARIOS / "issue-example.yaml").read_text(encoding="utf-8")


def spec_mutant(tmp_path: Path, old: str, new: str) -> Path:
    """The bundled spec (with its terms) with `old` replaced by `new`."""
    assert old in SPEC_TEXT, old
    folder = tmp_path / "clara"
    if not (folder / "terms").exists():
        copy_spec_folders(folder)
    path = folder / "spec.yaml"
    path.write_text(SPEC_TEXT.replace(old, new, 1), encoding="utf-8")
    return path


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, float]:
    """`yakkan ARGV` in-process: (status, stderr, seconds)."""
    started = time.perf_counter()
    try:
        status = main(list(argv))
    except SystemExit as exc:  # argparse
        status = exc.code if isinstance(exc.code, int) else 2
    seconds = time.perf_counter() - started
    return status, capsys.readouterr().err, seconds


def assert_bad_input(status: int, err: str, *needles: str) -> None:
    assert status == 2, err
    assert "Traceback" not in err
    assert "fix:" in err, err
    for needle in needles:
        assert needle in err, err


def billion_laughs(top: str = "") -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return top + "\n".join(lines) + "\n"


# -- path traversal -------------------------------------------------------------------------


def test_property_id_that_is_a_path_is_refused_at_load(tmp_path):
    path = spec_mutant(tmp_path, "\n  P13:", '\n  "../../x":')
    with pytest.raises(SpecError, match="is not an id") as err:
        load_spec(path)
    assert err.value.line is not None


@pytest.mark.parametrize("section,old,new", [
    ("state", "  applied: {ja: 申込中,", '  "../applied": {ja: 申込中,'),
    ("transition", "  - id: accept\n", "  - id: ../accept\n"),
    ("meta.id", "  id: clara-msp", "  id: ../../clara"),
])  # fmt: skip
def test_names_that_become_file_names_are_checked(tmp_path, section, old, new):
    with pytest.raises(SpecError, match="not an"):
        load_spec(spec_mutant(tmp_path, old, new))


def test_writers_refuse_names_that_leave_their_folder(tmp_path):
    for name in ("../x.yaml", "/etc/x", "a/b.yaml", "..", "a\x00b"):
        with pytest.raises(InputError, match="refusing to write"):
            path_in(tmp_path / "out", name)
    write_in(tmp_path / "out", "P13-counterexample.yaml", "x")
    assert (tmp_path / "out" / "P13-counterexample.yaml").read_text() == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


# -- writing onto special files -----------------------------------------------------------------


def test_write_output_refuses_fifos_folders_and_devices(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for target in (fifo, tmp_path):
        with pytest.raises(InputError, match="writes only regular files|folder"):
            write_output(target, "x")
    with pytest.raises(InputError, match="a device"):
        check_output_file("/dev/null")  # checked, never written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo"]


def test_write_output_writes_through_a_symlink(tmp_path):
    target = write(tmp_path, "real.svg", "old")
    target.chmod(0o640)
    link = tmp_path / "link.svg"
    link.symlink_to(target)
    write_output(link, "new")
    assert link.is_symlink() and target.read_text() == "new"
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.svg", "real.svg"]  # no temporary file left


@pytest.mark.parametrize("argv", [
    ["diagram", "--format", "dot", "-o", "{fifo}"],
    ["diagram", "--format", "dot", "-o", "{tmp}"],
    ["verify", "--property", "P05", "--junit", "{fifo}"],
    ["verify", "--property", "P05", "--sarif", "{fifo}"],
    ["verify", "--property", "P05", "--markdown", "{fifo}"],
    ["verify", "--property", "P05", "--out", "{fifo}"],
    ["simulate", "--customers", "2", "--months", "2", "--out", "{fifo}"],
    ["docs", "-o", "{fifo}"],
    ["demo", "--out", "{fifo}"],
    ["review", "{spec}", "{spec}", "--markdown", "{fifo}"],
    ["review", "{spec}", "{spec}", "--html", "{fifo}"],
    ["review", "{spec}", "{spec}", "--out", "{fifo}"],
])  # fmt: skip
def test_every_output_option_refuses_a_fifo(tmp_path, capsys, argv):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    argv = [a.format(fifo=fifo, tmp=tmp_path, spec=SPEC_PATH) for a in argv]
    status, err, seconds = run(capsys, *argv)
    assert_bad_input(status, err)
    assert seconds < 5, "refused before the work starts"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo"]


def test_diagram_onto_a_folder_names_the_folder_once(tmp_path, capsys):
    status, err, _ = run(capsys, "diagram", "--format", "dot", "-o", str(tmp_path))
    assert err == (f"yakkan: error: -o: {tmp_path} is a folder; yakkan writes only regular files\n"
                   "  fix: give -o the path of a new or regular file\n")  # was "PATH: PATH is a folder"
    assert status == 2 and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("argv", [
    ["diagram", "--format", "dot", "-o", "{bad}"],
    ["verify", "--property", "P05", "--junit", "{bad}"],
    ["review", "{spec}", "{spec}", "--markdown", "{bad}"],
    ["docs", "-o", "{bad}"],
])  # fmt: skip
@pytest.mark.parametrize("case", ["under a file", "symlink loop"])
def test_an_output_path_under_a_file_or_through_a_symlink_loop_is_bad_input(tmp_path, capsys, argv, case):
    """Found by the issue-13 audit: os.stat's NotADirectoryError / ELOOP was a traceback."""
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    (tmp_path / "loop").symlink_to("loop")
    bad = tmp_path / "afile" / "out" if case == "under a file" else tmp_path / "loop"
    argv = [a.format(bad=bad, spec=SPEC_PATH) for a in argv]
    status, err, seconds = run(capsys, *argv)
    option = argv[argv.index(str(bad)) - 1]
    reason = "(Not a directory)" if case == "under a file" else "(Too many levels of symbolic links)"
    verb = "cannot use" if argv[0] == "docs" else "cannot write"
    assert_bad_input(status, err, f"yakkan: error: {option}: {verb} {bad} {reason}")
    assert seconds < 5, "refused before the work starts"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "loop"]
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "x"


# -- resource exhaustion ------------------------------------------------------------------------


def test_alias_bombs_are_refused_quickly(tmp_path, capsys):
    cases = [
        ("check", write(tmp_path, "spec.yaml", billion_laughs())),
        ("replay", write(tmp_path, "scenario.yaml", billion_laughs())),
        ("simulate", write(tmp_path, "profiles.yaml", billion_laughs())),
    ]
    for command, path in cases:
        argv = ["simulate", "--profiles", str(path)] if command == "simulate" else [command, str(path)]
        status, err, seconds = run(capsys, *argv)
        assert_bad_input(status, err, "aliases", f"{path}:")
        assert seconds < 5


def test_a_long_file_of_small_values_stops_at_the_limit_as_it_is_read(tmp_path, capsys):
    """60,000 events in 2 MB (under the 4 MiB limit): nodes are counted as they are composed,
    so the refusal points at the 9,999th event (its 50,001st value), not at the end of a file parsed whole first
    (which took 15 s of CPU; found by the issue-13 audit)."""
    path = write(tmp_path, "s.yaml", "contract: {base_fee: 1}\nevents:\n" + "  - {on: 2024-04-01, do: apply}\n" * 60000)
    status, err, _ = run(capsys, "replay", str(path))
    assert_bad_input(status, err, f"{path}:10001: more than 50,000 values once its aliases (*name) are expanded")


def test_a_number_too_long_to_read_is_bad_input(tmp_path, capsys):
    # 5,001 digits: beyond Python's 4,300-digit int limit, within the 10,000-character line limit
    path = spec_mutant(tmp_path, "default: 10, min: 0, scope: terms", "default: 1" + "0" * 5000 + ", scope: terms")
    status, err, _ = run(capsys, "check", str(path))
    assert_bad_input(status, err, "a number of 5,001 characters")


@pytest.mark.parametrize("text", ["a: " + "[" * 10000 + "]" * 10000 + "\n",
                                  "".join(" " * i + "a:\n" for i in range(1500)) + " " * 1500 + "b: 1\n"])
def test_deep_nesting_is_refused(tmp_path, capsys, text):
    status, err, seconds = run(capsys, "check", str(write(tmp_path, "deep.yaml", text)))
    assert_bad_input(status, err, "nest")
    assert seconds < 5


@pytest.mark.parametrize("command", ["check", "replay", "profiles", "verify-results", "review-old", "review-new"])
def test_devices_and_fifos_are_never_read(tmp_path, capsys, command):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for source in ("/dev/zero", str(fifo)):
        argv = {"check": ["check", source], "replay": ["replay", source],
                "profiles": ["simulate", "--profiles", source],
                "verify-results": ["docs", "-o", str(tmp_path / "docs"), "--verify-results", source],
                "review-old": ["review", source, str(SPEC_PATH)],  # was "no such spec file" (audit)
                "review-new": ["review", str(SPEC_PATH), source],
                }[command]  # fmt: skip
        status, err, seconds = run(capsys, *argv)
        assert_bad_input(status, err, "not a regular file")
        assert seconds < 5


def test_oversized_input_is_refused(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# " + b"x" * MAX_INPUT_BYTES + b"\n")
    with pytest.raises(InputError, match="MiB"):
        read_input_text(path)


def test_scenario_until_far_future_is_refused(tmp_path, capsys):
    path = write(tmp_path, "s.yaml", SCENARIO_TEXT.replace("until: 2024-09-30", "until: 9999-12-31"))
    status, err, seconds = run(capsys, "replay", str(path))
    assert_bad_input(status, err, "1900–2200", f"{path}:")
    assert seconds < 5


@pytest.mark.parametrize("argv", [["verify", "--depth", "99999999"], ["verify", "--timeout", "nan"],
                                  ["verify", "--timeout", "1e9"]])
def test_verify_bounds_are_checked(capsys, argv):
    status, err, seconds = run(capsys, *argv)
    assert_bad_input(status, err, argv[1])
    assert seconds < 5


@pytest.mark.parametrize("option,value", [("--months", "100000"), ("--months", "0"), ("--customers", "0"),
                                          ("--customers", "10000000"), ("--workers", "0"), ("--workers", "1000")])
def test_simulate_counts_are_bounded(capsys, option, value):
    status, err, _ = run(capsys, "simulate", option, value)
    assert_bad_input(status, err, option)


# -- silently accepted before -------------------------------------------------------------------


def test_python_and_local_tags_are_refused(tmp_path, capsys):
    for tag in ("!!python/tuple", "!!python/object:os.system", "!custom"):
        path = spec_mutant(tmp_path, "  name: Clara MSP terms of service", f"  name: {tag} [a, b]")
        status, err, _ = run(capsys, "check", str(path))
        assert_bad_input(status, err, "is not allowed")


def test_python_tags_are_refused_in_scenarios_and_profiles(tmp_path, capsys):
    scenario = write(tmp_path, "s.yaml", SCENARIO_TEXT.replace("name: issue-example", "name: !!python/tuple [a, b]"))
    status, err, _ = run(capsys, "replay", str(scenario))
    assert_bad_input(status, err, f"{scenario}:1: the tag 'tag:yaml.org,2002:python/tuple' is not allowed")
    text = PROFILES_PATH.read_text(encoding="utf-8")
    profiles = write(tmp_path, "p.yaml", text.replace("title: Late payer", "title: !!python/name:os.system", 1))
    status, err, _ = run(capsys, "simulate", "--profiles", str(profiles))
    assert_bad_input(status, err, "the tag 'tag:yaml.org,2002:python/name:os.system' is not allowed")


@pytest.mark.parametrize("case,old,new,needle", [
    ("default below min", "base_fee: {type: int, default: 100000, scope: contract, min: 0,",
     "base_fee: {type: int, default: -5, scope: contract, min: 0,", "below the minimum"),
    ("default beyond the domain", "base_fee: {type: int, default: 100000,",
     "base_fee: {type: int, default: 1" + "0" * 30 + ",", "10,000,000"),
    ("effective date out of range", "  effective: 2024-04-01", "  effective: 99999-04-01", "not a date"),
    ("effective year 2500", "  effective: 2024-04-01", "  effective: 2500-04-01", "outside 1900–2200"),
    ("NUL in a state name", "  applied: {ja: 申込中,", '  "app\\0lied": {ja: 申込中,', "U+0000"),
    ("control character in a label", "en: Applied,", 'en: "App\\x1b[2Jlied",', "U+001B"),
    ("Cyrillic look-alike", "  pay: {by: customer,", "  p\u0430y: {by: customer,", "p\\u0430y"),
    ("non-ASCII enum name", "  Party: [customer, company]", "  Pärty: [customer, company]", "ASCII identifier"),
    ("control character in an enum value", '"17-1(1)", "17-1(2)"', '"17-1(1)\\x07", "17-1(2)"', "U+0007"),
    ("list for a type name", "tax_rate_percent: {type: int,", "tax_rate_percent: {type: [int],", "expected text"),
    ("terms text outside the folder", "  terms: terms/", "  terms: ../../../etc/", "not inside the spec"),
    ("absolute terms path", "  terms: terms/", "  terms: /etc/", "not inside the spec"),
])  # fmt: skip
def test_spec_values_that_were_accepted_silently(tmp_path, case, old, new, needle):
    with pytest.raises(SpecError) as err:
        load_spec(spec_mutant(tmp_path, old, new))
    assert needle in str(err.value) and "fix:" in str(err.value) and err.value.line is not None


def test_enum_values_stay_free_text(spec):
    assert "17-1(1)" in spec.enums["SuspendGround"]


def test_amounts_beyond_the_domain_are_refused_in_scenarios(tmp_path, spec):
    huge = (("base_fee: 100000", "base_fee: 1" + "0" * 100), ("amount: 165000", "amount: 10000000000000"))
    for old, new in huge:
        path = write(tmp_path, "s.yaml", SCENARIO_TEXT.replace(old, new, 1))
        with pytest.raises(ScenarioError, match="10,000,000") as err:
            load_scenario(path, spec)
        assert len(str(err.value)) < 600  # the 101-digit number is not echoed in full


@pytest.mark.parametrize("old,new,needle", [
    ("amount: {choice: [20000, 100000, 500000]}", 'amount: {expr: "0 - 5000"}', "never be sent"),
    ("amount: {choice: [20000, 100000, 500000]}", "amount: {choice: [20000, 10000000000000]}", "10,000,000"),
    ("amount: {uniform: [10000, 200000], step: 1000}", "amount: {uniform: [10000, 2000000000000000]}", "10,000,000"),
])  # fmt: skip
def test_profiles_with_impossible_amounts(tmp_path, capsys, old, new, needle):
    text = PROFILES_PATH.read_text(encoding="utf-8")
    assert old in text
    path = write(tmp_path, "profiles.yaml", text.replace(old, new, 1))
    status, err, _ = run(capsys, "simulate", "--profiles", str(path), "--customers", "2", "--months", "2")
    assert_bad_input(status, err, needle, f"{path}:")


def test_script_in_a_label_is_escaped_in_the_markdown(tmp_path, capsys):
    path = spec_mutant(tmp_path, "en: Applied,", 'en: "<script>alert(1)</script>",')
    status, err, _ = run(capsys, "docs", str(path), "-o", str(tmp_path / "docs"))
    assert status == 0, err
    for name in ("yakkan.md", "yakkan.ja.md"):
        md = (tmp_path / "docs" / name).read_text(encoding="utf-8")
        outside_fences = "".join(md.split("```")[::2])  # mermaid source in a fenced block is text
        assert "<script>" not in outside_fences
    assert "&lt;script>alert(1)&lt;/script>" in (tmp_path / "docs" / "yakkan.md").read_text(encoding="utf-8")


# -- messages -----------------------------------------------------------------------------------


def test_expression_syntax_error_is_plain(tmp_path):
    path = spec_mutant(tmp_path, 'when: "arrears > 0"', 'when: "arrears > (0"')
    with pytest.raises(SpecError) as err:
        load_spec(path)
    assert "bracket" in str(err.value) and "EOF" not in str(err.value) and "(2, 0)" not in str(err.value)


def test_long_input_is_not_echoed_in_full(tmp_path, capsys):
    # a 500 kB expression over 500 lines of a quoted text (a line is at most 10,000 characters)
    long = "arrears > " + ("overdue + " * 100 + "\n          ") * 500 + "1"
    path = spec_mutant(tmp_path, 'when: "arrears > 0"', f'when: "{long}"')
    status, err, _ = run(capsys, "check", str(path))
    assert_bad_input(status, err, "in `arrears > overdue + overdue + ", "… (500,")
    assert len(err) < 1500


@pytest.mark.parametrize("line", ["# " + "x" * 1_000_000, 'name: "' + "x" * 10_001 + '"'])
def test_a_line_too_long_for_the_yaml_scanner_is_refused_before_it_runs(tmp_path, capsys, line):
    """The YAML scanner builds a comment in time quadratic in its length: a 1 MiB comment line
    took 33 s, a 4 MiB one minutes (found by the issue-13 audit). A line is at most 10,000
    characters, checked on the text before the scanner runs."""
    path = write(tmp_path, "s.yaml", "contract: {base_fee: 1}\n" + line + "\nevents: []\n")
    status, err, _ = run(capsys, "replay", str(path))
    assert err == (f"yakkan: error: {path}:2: a line of more than 10,000 characters\n"
                   "  fix: break the line: a quoted text or an expression may go on over several lines\n")
    assert status == 2


def test_shift_jis_gets_a_hint_to_convert(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_bytes("name: 約款の例\ncontract: {base_fee: 100000}\nevents:\n  - {on: 2024-04-01, do: apply}\n"
                     .encode("shift_jis"))
    status, err, _ = run(capsys, "replay", str(path))
    assert_bad_input(status, err, "Shift_JIS", "iconv -f SHIFT_JIS -t UTF-8")


def test_every_bad_input_message_has_a_fix(tmp_path, capsys):
    """A sample of bad inputs across the commands: exit 2, a fix: line, no traceback."""
    scenario = write(tmp_path, "s.yaml", "contract: {base_fee: 1}\nevents:\n  - {on: 2024-04-01, do: aply}\n")
    cases = [
        ["check", str(spec_mutant(tmp_path, "event: request_support,", "event: request_suport,"))],
        ["check", str(spec_mutant(tmp_path, "  L01: {articles", "  P01: {articles"))],
        ["check", str(spec_mutant(tmp_path, "target: in_force.interrupted,", "target: in_force.active,"))],
        ["check", str(spec_mutant(tmp_path, 'articles: ["16-2"], ja: 追加料金の支払い',
                                  'articles: ["16-3"], ja: 追加料金の支払い'))],  # fmt: skip
        ["check", str(tmp_path / "missing.yaml")],
        ["replay", str(scenario)],
        ["replay", str(write(tmp_path, "x.yaml", "events: [\n"))],
        ["replay", str(write(tmp_path, "y.yaml", "- just a list\n"))],
        ["replay", str(write(tmp_path, "z.yaml", SCENARIO_TEXT.replace("on: 2024-04-10", "on: 2024-04-31")))],
        ["verify", "--property", "P99"],
        ["verify", "--depth", "0"],
        ["simulate", "--engine", "warp"],
        ["simulate", "--customers", "many"],
        ["diagram", "--highlight", str(tmp_path / "missing.yaml")],
        ["docs", "-o", str(tmp_path / "docs"), "--verify-results", str(write(tmp_path, "r.json", "{bad json"))],
        ["review", str(tmp_path / "missing.yaml"), str(SPEC_PATH)],
        ["nonsense"],
    ]
    for argv in cases:
        status, err, _ = run(capsys, *argv)
        assert_bad_input(status, err)


# -- Ctrl-C ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("argv,delay", [
    (["simulate", "--customers", "50000", "--months", "60", "--workers", "2", "--out", "{out}"], 2.5),
    (["verify", "--property", "P06", "--property", "P17", "--no-cache", "--no-hints", "--out", "{out}"], 3.0),
    (["mutate", "--workers", "2", "--no-cache", "--out", "{out}"], 3.0),  # worker processes too (issue-13 audit)
    (["docs", "-o", "{out}"], 2.0),
])  # fmt: skip
def test_ctrl_c_stops_within_a_second(tmp_path, argv, delay):
    out = tmp_path / "out"
    argv = [a.format(out=out) for a in argv]
    proc = subprocess.Popen([sys.executable, "-m", "yakkan", *argv], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
                            preexec_fn=interruptible_as_from_a_terminal)  # fmt: skip
    time.sleep(delay)
    assert proc.poll() is None, "the command ended before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
    sent = time.monotonic()
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    stopped = time.monotonic() - sent
    text = err.decode("utf-8", "replace")
    assert proc.returncode == 130, text
    assert "Traceback" not in text and "yakkan: interrupted" in text
    assert stopped < 2.0, f"took {stopped:.1f} s to stop"
    leftovers = [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
    assert not leftovers
    made = [p.name for p in tmp_path.iterdir() if p.name != ".yakkan-cache"]  # a cache (mutate makes it) is no output
    assert made == [], "nothing half-written: no output folder, no .building folder"


@pytest.mark.parametrize("expect", ["  ledger: [1, 2]\n", "  refused: {a: 1}\n", "  state: [active]\n",
                                    "  ledger: {charged: [1]}\n"])
def test_scenario_expectations_of_the_wrong_kind(tmp_path, capsys, expect):
    """Found by benchmarks/fuzz_inputs.py: a list for `expect.ledger` crashed replay."""
    text = "contract: {base_fee: 1}\nevents:\n  - {on: 2024-04-01, do: apply}\nexpect:\n" + expect
    status, err, _ = run(capsys, "replay", str(write(tmp_path, "s.yaml", text)))
    assert_bad_input(status, err, "expect.")


def test_verify_cache_key_never_reads_huge_files_beside_the_spec(tmp_path):
    """The verdict cache hashes the spec's folder: a 1 GiB file there (or a symlink to
    /proc/kcore) counts by its size and time, and is not read into memory."""
    from yakkan.verify.cache import spec_fingerprint

    path = spec_mutant(tmp_path, "\n", "\n")
    with open(path.parent / "huge.bin", "wb") as fh:
        fh.truncate(1 << 30)  # sparse: no disk used
    started = time.perf_counter()
    first = spec_fingerprint(path)
    assert time.perf_counter() - started < 2
    os.utime(path.parent / "huge.bin", ns=(1, 1))
    assert spec_fingerprint(path) != first


def test_control_characters_in_scenarios_and_profiles_are_refused(tmp_path, capsys):
    """An escape sequence in a note or a name would reach a terminal or a CI log."""
    scenario = write(tmp_path, "s.yaml", 'name: "evil\\x1b[2J"\ncontract: {base_fee: 1}\n'
                                         "events:\n  - {on: 2024-04-01, do: apply}\n")  # fmt: skip
    status, err, _ = run(capsys, "replay", str(scenario))
    assert_bad_input(status, err, "U+001B", f"{scenario}:1")
    assert "\x1b" not in err
    profiles = PROFILES_PATH.read_text(encoding="utf-8").replace("title: Late payer", 'title: "Late\\x07 payer"', 1)
    status, err, _ = run(capsys, "simulate", "--profiles", str(write(tmp_path, "p.yaml", profiles)))
    assert_bad_input(status, err, "U+0007")


def test_a_terms_text_that_is_a_fifo_gives_one_fix_line(tmp_path, capsys):
    path = spec_mutant(tmp_path, "  terms: terms/clara-msp-terms-2024-04-01.ja.txt", "  terms: terms/fifo.txt")
    os.mkfifo(path.parent / "terms" / "fifo.txt")
    status, err, seconds = run(capsys, "check", str(path))
    assert_bad_input(status, err, "FIFO", "meta.terms")
    assert err.count("fix:") == 1 and seconds < 5


def test_docs_take_from_verify_results_only_scenarios_under_property_ids(tmp_path, capsys):
    """A results file naming a property `../../evil`, or a counterexample that is no scenario
    (/etc/passwd), puts nothing outside the site and copies nothing that is not a scenario."""
    import json

    (tmp_path / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    data = {"ok": False, "properties": [
        {"id": "../../evil", "verdict": "violated", "expected": "holds", "matches": False, "depth": 3,
         "seconds": 0.1, "articles": ["7-2"], "counterexample": str(SCENARIOS / "issue-example.yaml")},
        {"id": "P03", "verdict": "violated", "expected": "holds", "matches": False, "depth": 3,
         "seconds": 0.1, "articles": ["7-2"], "counterexample": str(tmp_path / "passwd")},
    ]}  # fmt: skip
    results = write(tmp_path, "results.json", json.dumps(data))
    status, err, _ = run(capsys, "docs", "-o", str(tmp_path / "site" / "docs"), "--verify-results", str(results))
    assert status == 0, err
    assert "not a property id" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["passwd", "results.json", "site"]
    assert not (tmp_path / "site" / "docs" / "scenarios" / "P03.yaml").exists()
    assert not any("root:x:0:0" in p.read_text(errors="replace") for p in (tmp_path / "site").rglob("*.yaml"))
