"""Where a table comes from: a path, '-' for stdin, a pandas DataFrame or a NumPy array.

The command line hands the commands that read tables (regress, stats, normal
--fit, pca) a path; the Python API may hand them a DataFrame or an array too.
Each becomes the byte stream core.table's reader takes, so a table from Python
is read, checked and named in messages exactly as a file is.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO

from mathml_cli.errors import InputError


def is_frame(data: Any) -> bool:
    """Is `data` a pandas DataFrame (checked without importing pandas)?"""
    return hasattr(data, "to_csv") and hasattr(data, "columns")


@contextmanager
def open_table(
    data: Any, *, header: bool | None = None, command: str
) -> Iterator[tuple[BinaryIO, str, bool | None]]:
    """(byte stream, name for messages, header) for a path, '-', a DataFrame or a
    2-D array; a file opened here is closed on leaving, stdin never.

    header: as given for a path (None: detect it); a DataFrame always has its
    column names as a header, an array never has one.
    """
    if isinstance(data, (str, os.PathLike)):
        from mathml_cli.core.table import open_input

        path = os.fspath(data)
        stream, source = open_input(path)
        try:
            yield stream, source, header
        finally:
            if path != "-":
                stream.close()
        return
    if is_frame(data):
        # NaN as "nan", a missing value to the reader: an empty cell would leave a
        # one-column frame with a blank line, which a CSV reader skips.
        text = data.to_csv(index=False, na_rep="nan")
        yield io.BytesIO(text.encode("utf-8")), "the DataFrame", True
        return
    yield _array_stream(data, command), "the array", False


def _array_stream(data: Any, command: str) -> BinaryIO:
    import numpy as np

    try:
        array = np.asarray(data, dtype=float)
    except (TypeError, ValueError):
        raise InputError(
            f"{command} takes a CSV path, a pandas DataFrame or a NumPy array (rows × columns), "
            f"got {type(data).__name__}"
        ) from None
    if array.ndim != 2:
        raise InputError(f"{command} needs a table (2 dimensions), got {array.ndim} dimension(s)")
    buffer = io.BytesIO()
    np.savetxt(buffer, array, delimiter=",", fmt="%.17g")
    buffer.seek(0)
    return buffer
