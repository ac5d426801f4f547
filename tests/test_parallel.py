"""Parsing in two processes gives exactly what parsing in one gives, whatever happens."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_startup import RUN_AFTER_SAYING_SO  # mathml, started once it says so

from mathml_cli.core import parallel
from mathml_cli.core import table as table_module

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the helper is used on Linux only"
)
PARENT = os.getpid()


def _parse(block: bytes) -> parallel.Parsed:
    """A stand-in parser: a block's bytes as rows of two columns; '?' refuses it."""
    if block.startswith(b"?"):
        return None, block.count(b"\n")
    numbers = np.frombuffer(block, dtype=np.uint8).astype(np.float64)
    rows = len(numbers) // 2
    return numbers[: 2 * rows].reshape(rows, 2) / 7, block.count(b"\n")


def _run(blocks: list[bytes], parse=_parse, *, helper: bool, slot_bytes: int = 64) -> list:
    results = parallel.parse_in_order(
        iter(blocks), parse, columns=2, slot_bytes=slot_bytes, helper=helper
    )
    # Compare arrays by their bytes: exactly equal, not only close.
    return [
        (block if values is None else None, None if values is None else values.tobytes(), lines)
        for block, (values, lines) in results
    ]


block_text = st.one_of(
    st.binary(min_size=1, max_size=100),  # some longer than the helper's slot
    st.binary(min_size=1, max_size=20).map(lambda b: b"?" + b),  # refused
)


@settings(max_examples=60, deadline=None)
@given(st.lists(block_text, max_size=30))
def test_the_same_results_in_the_same_order_with_or_without_the_helper(blocks):
    assert _run(blocks, helper=True) == _run(blocks, helper=False)


def test_a_refused_block_comes_back_with_its_bytes():
    blocks = [b"ab\n", b"cd\n", b"?bad\n", b"ef\n", b"?x", b"gh\n"] * 5
    results = _run(blocks, helper=True)
    assert [block for block, _, _ in results if block is not None] == [b"?bad\n", b"?x"] * 5


def _dies_in_the_helper(block: bytes) -> parallel.Parsed:
    if os.getpid() != PARENT and block == b"die":
        os._exit(3)
    return _parse(block)


def test_blocks_are_parsed_here_if_the_helper_dies():
    blocks = [bytes([65 + i % 26]) * 10 for i in range(20)] + [b"die"]
    blocks += [bytes([97 + i % 26]) * 12 for i in range(20)]
    helped = _run(blocks, _dies_in_the_helper, helper=True)
    assert helped == _run(blocks, _dies_in_the_helper, helper=False)


def _too_many_rows(block: bytes) -> parallel.Parsed:
    rows = 1000 if block == b"many" else 1
    return np.full((rows, 2), float(len(block))), 1


def test_a_result_too_big_for_the_shared_slot_is_parsed_here():
    blocks = [b"a", b"bb", b"many", b"ccc", b"many", b"d"]
    helped = _run(blocks, _too_many_rows, helper=True, slot_bytes=16)
    assert helped == _run(blocks, _too_many_rows, helper=False, slot_bytes=16)


def _raises_in_the_helper(block: bytes) -> parallel.Parsed:
    if os.getpid() != PARENT and block == b"boom":
        raise MemoryError
    return _parse(block)


def test_an_exception_in_the_helper_hands_the_block_back():
    blocks = [b"xy", b"boom", b"zw"] * 4
    helped = _run(blocks, _raises_in_the_helper, helper=True)
    assert helped == _run(blocks, _raises_in_the_helper, helper=False)


def test_the_helper_is_stopped_and_reaped_when_reading_stops_early(monkeypatch):
    started: list[int] = []
    original = parallel._Helper.__init__

    def remember(self, *args, **kwargs):
        original(self, *args, **kwargs)
        started.append(self._pid)

    monkeypatch.setattr(parallel._Helper, "__init__", remember)
    results = parallel.parse_in_order(
        iter([b"ab"] * 50), _parse, columns=2, slot_bytes=64, helper=True
    )
    next(results)
    (pid,) = started
    results.close()  # as when the caller raises an error, or Ctrl-C
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # no such child: it was stopped and reaped


def test_short_inputs_and_threaded_programs_never_fork(monkeypatch):
    def no_fork():
        raise AssertionError("forked")

    monkeypatch.setattr(os, "fork", no_fork)
    blocks = [b"ab", b"cd"][: parallel._START_AFTER - 1]
    assert len(_run(blocks, helper=True)) == len(blocks)
    waiting = threading.Event()
    thread = threading.Thread(target=waiting.wait)
    thread.start()
    try:
        assert not parallel.helper_can_run()  # a fork would copy no other thread
        assert len(_run([b"ab"] * 10, helper=None)) == 10  # type: ignore[arg-type]
    finally:
        waiting.set()
        thread.join()


def test_no_fork_available_means_parsing_here(monkeypatch):
    def cannot_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", cannot_fork)
    blocks = [b"ab\n", b"?cd", b"ef\n"] * 3
    assert _run(blocks, helper=True) == _run(blocks, helper=False)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one core: mathml starts no helper")
def test_ctrl_c_while_both_processes_read_exits_130_and_leaves_no_process():
    """A pipe that never ends: the helper is working when Ctrl-C comes."""
    process = subprocess.Popen(
        [sys.executable, "-c", RUN_AFTER_SAYING_SO, "regress", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
    )
    assert process.stdin is not None and process.stdout is not None
    assert process.stdout.readline() == b"started\n"
    rows = b"".join(b"%d.5,%d.25\n" % (i, 2 * i) for i in range(400_000))
    process.stdin.write(b"x,y\n" + rows)
    process.stdin.flush()
    deadline = time.monotonic() + 30
    while not (helpers := _children(process.pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(helpers) == 1, "the helper started"
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert stderr == b""
    deadline = time.monotonic() + 10
    while Path(f"/proc/{helpers[0]}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{helpers[0]}").exists()


def _big_table(path: Path) -> Path:
    rng = np.random.default_rng(5)
    x = rng.uniform(-50, 50, size=(120_000, 3))
    y = x @ [1.5, -2.0, 0.25] + rng.normal(0, 1, size=len(x))
    np.savetxt(
        path, np.column_stack([x, y]), fmt="%.5f", delimiter=",", header="a,b,c,y", comments=""
    )
    assert path.stat().st_size > 3 * table_module.BLOCK_BYTES
    return path


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("regress", {}),
        ("regress", {"features": "a,c"}),  # chosen columns: a copy, not a strided view
        ("stats", {}),
        ("stats", {"column": "b,c"}),
        ("pca", {}),
        ("pca", {"columns": "a,c"}),
    ],
)
def test_commands_give_the_same_answer_with_or_without_the_helper(
    command, options, tmp_path, monkeypatch
):
    """Three megabytes: the helper parses some blocks; the JSON is the same to the bit."""
    import mathml_cli

    path = _big_table(tmp_path / "data.csv")
    forks = []
    original = parallel._Helper.__init__

    def counted(self, *args, **kwargs):
        forks.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(parallel._Helper, "__init__", counted)
    monkeypatch.setattr(parallel, "helper_can_run", lambda: True)
    helped = getattr(mathml_cli, command)(str(path), **options).to_dict()
    assert forks == [1]
    monkeypatch.setattr(parallel, "helper_can_run", lambda: False)
    assert getattr(mathml_cli, command)(str(path), **options).to_dict() == helped


def test_with_sigchld_ignored_the_system_reaps_the_helper(tmp_path, monkeypatch):
    """Supervisors may start programs with SIGCHLD ignored; waitpid then finds no child."""
    import mathml_cli

    path = _big_table(tmp_path / "data.csv")
    monkeypatch.setattr(parallel, "helper_can_run", lambda: True)
    expected = mathml_cli.regress(str(path)).to_dict()
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        assert mathml_cli.regress(str(path)).to_dict() == expected
    finally:
        signal.signal(signal.SIGCHLD, previous)


@pytest.mark.parametrize("command", ["regress", "stats", "pca"])
def test_no_helper_outlives_an_error(command, tmp_path, monkeypatch):
    """The error's traceback keeps the reading frames; the helper must not wait with them."""
    import mathml_cli
    from mathml_cli.errors import InputError

    path = _big_table(tmp_path / "data.csv")
    text = path.read_text().splitlines()
    text[100_000] = "1,2,x,4"
    path.write_text("\n".join(text) + "\n")
    monkeypatch.setattr(parallel, "helper_can_run", lambda: True)
    with pytest.raises(InputError, match=r"row 100000 \(line 100001\)") as error:
        getattr(mathml_cli, command)(str(path))
    assert error.traceback  # still held here
    assert _children(os.getpid()) == []


def test_pca_does_not_suggest_an_option_it_lacks(tmp_path):
    import mathml_cli
    from mathml_cli.errors import InputError

    path = tmp_path / "gap.csv"
    path.write_text("a,b\n1,2\n3,\n5,7\n")
    with pytest.raises(InputError, match="pca needs every value") as error:
        mathml_cli.pca(str(path))
    assert "--drop-missing" not in str(error.value)


def test_pipes_numbered_above_1023_work(monkeypatch):
    """select() refuses such descriptors; a program with many files open gets them."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1100:
        pytest.skip("cannot open enough files here")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1100), hard))
    original_pipe = os.pipe
    numbers = iter(range(1030, 1100))

    def high_pipe():
        read, write = original_pipe()
        high = (os.dup2(read, next(numbers)), os.dup2(write, next(numbers)))
        os.close(read)
        os.close(write)
        return high

    monkeypatch.setattr(os, "pipe", high_pipe)
    try:
        blocks = [b"ab\n", b"cd\n", b"?e", b"fg\n"] * 4
        assert _run(blocks, helper=True) == _run(blocks, helper=False)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.mark.parametrize("length", [3, 100])  # blocks for the helper, and blocks too long for it
def test_blocks_are_parsed_only_a_few_ahead_of_the_reader(length):
    """However long the input, only a few parsed blocks wait in memory."""
    parsed = []

    def counted(block: bytes) -> parallel.Parsed:
        parsed.append(1)
        return _parse(block)

    results = parallel.parse_in_order(
        iter([b"x" * length] * 200), counted, columns=2, slot_bytes=64, helper=True
    )
    for taken, _ in enumerate(results, start=1):
        # Blocks parsed here, ahead of the one just taken (the helper's are not counted).
        assert len(parsed) - taken <= parallel._AHEAD + parallel._SLOTS
