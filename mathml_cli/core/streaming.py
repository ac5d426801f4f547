"""Sums over a stream of rows that stay accurate: shared by regress and pca."""

from __future__ import annotations

import numpy as np


class Moments:
    """Running count, means and co-moment matrix of the columns, merged block by block."""

    def __init__(self, width: int) -> None:
        self.n = 0
        self.mean = np.zeros(width)
        self.comoment = np.zeros((width, width))

    def add(self, block: np.ndarray) -> None:
        rows = len(block)
        if not rows:
            return
        block_mean = block.mean(axis=0)
        centred = block - block_mean
        block_comoment = centred.T @ centred
        total = self.n + rows
        delta = block_mean - self.mean
        # Chan, Golub and LeVeque's update: exact merging of two groups' co-moments.
        self.comoment += block_comoment + np.outer(delta, delta) * (self.n * rows / total)
        self.mean += delta * (rows / total)
        self.n = total
