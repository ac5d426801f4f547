"""Parse the blocks of a long input in two processes: this one and a forked helper.

Parsing a CSV block is many short NumPy calls, so threads do not help (each call
gives up and takes back the GIL), but a second process does: on a 2-core machine
a million rows x 10 parse in 0.43 s instead of 0.62 s. The helper is a fork of
this process, so it starts in a millisecond with everything already imported.

How they share the work: blocks go to the helper through shared memory, two at a
time (one it parses, one waiting), and while the oldest is still with it this
process parses the next blocks itself. The results come out in the input's order
and are exactly what parsing every block here would give, since both processes
run the same function on the same bytes. Whatever the helper refuses or fails on
(a block it cannot parse fast, a result too big for its slot, the helper gone) is
handed back and parsed here, so errors name the same line either way.

The helper is used only where forking is safe and pays: on Linux, with two or
more cores, no other Python threads running, and an input of several blocks.
"""

from __future__ import annotations

import mmap
import os
import select
import signal
import struct
import sys
import threading
from collections import deque
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass

import numpy as np

Parsed = tuple["np.ndarray | None", int]  # the block's rows (None: refused) and its lines
_SLOTS = 2  # blocks with the helper at once: the one it parses and the next
_AHEAD = 4  # blocks parsed here while the oldest is still with the helper
_START_AFTER = 2  # blocks read before the helper starts: short inputs never fork
_REQUEST = struct.Struct("<qq")  # slot, length of the block in it
_REPLY = struct.Struct("<qqq")  # slot, rows (-1: refused), lines
# A slot holds a block and, after it, room for its floats: every row takes at least
# two bytes a column, so its floats take at most 4 bytes per byte of the block.
_OUTPUT_PER_BYTE = 4


def _stride(slot_bytes: int) -> int:
    """Bytes from one slot to the next in the shared memory."""
    return (1 + _OUTPUT_PER_BYTE) * slot_bytes


def helper_can_run() -> bool:
    """Whether forking a parsing helper is safe here and can gain anything."""
    if not sys.platform.startswith("linux") or threading.active_count() != 1:
        return False  # a fork copies no other thread, so a lock one holds would stay held
    return len(os.sched_getaffinity(0)) >= 2


@dataclass
class _Entry:
    """One block on its way through: parsed here (`result`) or with the helper (`slot`)."""

    block: bytes | None  # the bytes, while this process holds them
    slot: int = -1
    length: int = 0
    result: Parsed | None = None
    handed_back: bool = False  # the helper could not parse it: do it here


def parse_in_order(
    blocks: Iterator[bytes],
    parse: Callable[[bytes], Parsed],
    *,
    columns: int,
    slot_bytes: int,
    helper: bool | None = None,
) -> Generator[tuple[bytes, Parsed], None, None]:
    """(block, parse(block)) for each block, in order; a refused block's bytes come
    with it, for the caller to read cell by cell (a parsed one's may be b"").

    columns: the width of parse's arrays; slot_bytes: the longest block the
    helper takes (longer ones are parsed here); helper: True or False to use one
    or not, None to decide by helper_can_run().
    """
    use_helper = helper_can_run() if helper is None else helper
    started: list[bytes] = []
    for block in blocks:
        started.append(block)
        if len(started) >= _START_AFTER:
            break
    blocks = _again(started, blocks)
    if not use_helper or len(started) < _START_AFTER:
        for block in blocks:
            yield block, parse(block)
        return
    try:
        worker = _Helper(parse, columns, slot_bytes)
    except OSError:  # no process or memory to spare: parse everything here
        for block in blocks:
            yield block, parse(block)
        return
    with worker:
        yield from _shared(blocks, parse, worker)


def _again(first: list[bytes], rest: Iterator[bytes]) -> Iterator[bytes]:
    """The blocks read already, then the rest; each let go of once it is given out."""
    first.reverse()
    while first:
        yield first.pop()
    yield from rest


def _shared(
    blocks: Iterator[bytes], parse: Callable[[bytes], Parsed], worker: _Helper
) -> Iterator[tuple[bytes, Parsed]]:
    queue: deque[_Entry] = deque()
    more = True
    while True:
        # Keep the helper busy: each of its free slots takes the next block. (A block
        # too long for a slot is parsed here, and the queue stays short however many.)
        while more and worker.free and len(queue) < _AHEAD:
            block = next(blocks, None)
            if block is None:
                more = False
            elif len(block) > worker.slot_bytes:
                queue.append(_Entry(block, result=parse(block)))
            else:
                queue.append(worker.send(block))
        if queue:
            head = queue[0]
            if head.result is None and not head.handed_back:
                worker.collect(wait=False)
            if head.handed_back:
                head.result = parse(head.block or b"")
            if head.result is not None:
                queue.popleft()
                yield worker.release(head), head.result
                continue
        # The oldest block is still with the helper: parse a later one here meanwhile.
        if more and len(queue) < _AHEAD:
            block = next(blocks, None)
            if block is not None:
                queue.append(_Entry(block, result=parse(block)))
                continue
            more = False
        if not queue:
            return
        worker.collect(wait=True)


class _Helper:
    """The forked process and the shared memory and pipes between it and this one."""

    def __init__(self, parse: Callable[[bytes], Parsed], columns: int, slot_bytes: int) -> None:
        self.slot_bytes = slot_bytes
        self._columns = columns
        self._stride = _stride(slot_bytes)
        # Anonymous shared memory made before the fork is the same pages in both.
        self._memory = mmap.mmap(-1, _SLOTS * self._stride)
        self._free = list(range(_SLOTS))
        self._sent: deque[_Entry] = deque()
        requests_read, self._requests = os.pipe()
        self._replies, replies_write = os.pipe()
        try:
            self._pid = os.fork()
        except OSError:
            for fd in (requests_read, self._requests, self._replies, replies_write):
                os.close(fd)
            raise
        if self._pid == 0:  # the helper: it never returns from here
            try:
                os.close(self._requests)
                os.close(self._replies)
                _serve(parse, self._memory, requests_read, replies_write, slot_bytes)
            finally:
                os._exit(0)
        os.close(requests_read)
        os.close(replies_write)
        self._alive = True
        # poll, not select: select refuses descriptors above 1023, which a program
        # with many files open (a server, a notebook) may be given for the pipes.
        self._poller = select.poll()
        self._poller.register(self._replies, select.POLLIN)

    def __enter__(self) -> _Helper:
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Stop the helper at once, even in the middle of a block (the caller may have
        stopped reading because of an error, or Ctrl-C)."""
        os.close(self._requests)
        os.close(self._replies)
        try:
            os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass  # already reaped (with SIGCHLD ignored, the system reaps children itself)

    @property
    def free(self) -> list[int]:
        """The slots ready for a block (none once the helper is gone)."""
        return self._free if self._alive else []

    def send(self, block: bytes) -> _Entry:
        slot = self._free.pop()
        start = slot * self._stride
        self._memory[start : start + len(block)] = block
        entry = _Entry(None, slot=slot, length=len(block))
        if self._alive:
            try:
                os.write(self._requests, _REQUEST.pack(slot, len(block)))
            except OSError:
                self._alive = False
        self._sent.append(entry)
        if not self._alive:
            self._take_back()
        return entry

    def collect(self, *, wait: bool) -> None:
        """Take the helper's reply for its oldest block, if it has come (or, with
        wait, once it comes)."""
        if not self._sent:
            return
        if not wait and not self._poller.poll(0):
            return
        reply = _read_exactly(self._replies, _REPLY.size)
        if len(reply) < _REPLY.size:  # the helper is gone: do its blocks here
            self._alive = False
            self._take_back()
            return
        slot, rows, lines = _REPLY.unpack(reply)
        entry = self._sent.popleft()
        assert entry.slot == slot, "the helper answers in the order it was asked"
        if rows < 0:
            self._hand_back(entry)
            return
        start = slot * self._stride + self.slot_bytes
        shared = np.frombuffer(self._memory, np.float64, rows * self._columns, start)
        entry.result = (shared.reshape(rows, self._columns).copy(), lines)
        del shared  # an array over the shared memory would keep it from closing

    def release(self, entry: _Entry) -> bytes:
        """The entry's block (b"" if only the helper had it), and its slot free again."""
        if entry.slot >= 0:
            self._free.append(entry.slot)
            entry.slot = -1
        return entry.block or b""

    def _hand_back(self, entry: _Entry) -> None:
        start = entry.slot * self._stride
        entry.block = self._memory[start : start + entry.length]
        entry.handed_back = True

    def _take_back(self) -> None:
        """Take back every block still with the helper, to be parsed here."""
        while self._sent:
            self._hand_back(self._sent.popleft())


def _serve(
    parse: Callable[[bytes], Parsed],
    memory: mmap.mmap,
    requests: int,
    replies: int,
    slot_bytes: int,
) -> None:
    """The helper's loop: parse each block it is sent into its slot, until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the main process to handle
    for fd in (0, 1):  # hold no pipe of the user's open
        try:
            os.close(fd)
        except OSError:
            pass  # closed already
    stride = _stride(slot_bytes)
    while True:
        request = _read_exactly(requests, _REQUEST.size)
        if len(request) < _REQUEST.size:
            return
        slot, length = _REQUEST.unpack(request)
        start = slot * stride
        rows = lines = -1
        try:
            values, lines = parse(memory[start : start + length])
            if values is not None and values.nbytes <= _OUTPUT_PER_BYTE * slot_bytes:
                output = np.frombuffer(memory, np.float64, values.size, start + slot_bytes)
                output[:] = values.ravel()
                del output
                rows = len(values)
        except Exception:  # whatever it is, the main process meets it again parsing the block
            rows = -1
        os.write(replies, _REPLY.pack(slot, rows, lines))


def _read_exactly(fd: int, size: int) -> bytes:
    """`size` bytes from a pipe, or fewer if it closes first."""
    data = b""
    while len(data) < size:
        try:
            chunk = os.read(fd, size - len(data))
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    return data
