"""A fitted IsolationForest reduced to flat arrays: quick to store, load and score.

Unpickling a scikit-learn forest rebuilds one object per tree, which costs more than scoring a few new
transactions; these arrays load in well under a millisecond. Scores are the paper's s(x, n) exactly as
`-IsolationForest.score_samples` computes them (inputs are compared in float32, as scikit-learn does).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.ensemble import IsolationForest
from sklearn.ensemble._iforest import _average_path_length

LEAF = -2  # scikit-learn's marker for "no feature": a leaf


@dataclass(frozen=True)
class CompactForest:
    feature: np.ndarray  # per node, over all trees; LEAF at leaves
    threshold: np.ndarray  # go left when x[feature] <= threshold
    left: np.ndarray  # children, as indices into the flat arrays
    right: np.ndarray
    leaf_depth: np.ndarray  # at a leaf: its depth plus the average path length of the samples left in it
    roots: np.ndarray  # the first node of each tree
    normaliser: float  # trees × c(max_samples)
    max_depth: int

    @classmethod
    def from_forest(cls, forest: IsolationForest) -> CompactForest:
        features, thresholds, lefts, rights, depths, roots = [], [], [], [], [], []
        offset, max_depth = 0, 0
        for i, tree in enumerate(forest.estimators_):
            nodes = tree.tree_
            is_leaf = nodes.children_left == -1
            roots.append(offset)
            features.append(np.where(is_leaf, LEAF, nodes.feature))
            thresholds.append(nodes.threshold)
            lefts.append(np.where(is_leaf, -1, nodes.children_left + offset))
            rights.append(np.where(is_leaf, -1, nodes.children_right + offset))
            depths.append(forest._decision_path_lengths[i] + forest._average_path_length_per_tree[i] - 1.0)
            offset += nodes.node_count
            max_depth = max(max_depth, int(nodes.max_depth))
        normaliser = len(forest.estimators_) * float(_average_path_length([forest._max_samples])[0])
        return cls(
            np.concatenate(features).astype(np.int32),
            np.concatenate(thresholds),
            np.concatenate(lefts).astype(np.int32),
            np.concatenate(rights).astype(np.int32),
            np.concatenate(depths),
            np.array(roots, dtype=np.int32),
            normaliser,
            max_depth,
        )

    def score(self, matrix: np.ndarray) -> np.ndarray:
        """The paper's anomaly score of each row, 0-1."""
        return np.asarray(2.0 ** (-self.path_lengths(matrix) / self.normaliser))

    def path_lengths(self, matrix: np.ndarray) -> np.ndarray:
        """Each row's path length summed over the trees (leaf depth plus the unbuilt subtree's average)."""
        data = np.asarray(matrix, dtype=np.float32)
        rows = np.arange(len(data))[np.newaxis, :]
        nodes = np.repeat(self.roots[:, np.newaxis], len(data), axis=1)
        for _ in range(self.max_depth):
            feature = self.feature[nodes]
            inner = feature != LEAF
            if not inner.any():
                break
            goes_left = data[rows, np.where(inner, feature, 0)] <= self.threshold[nodes]
            nodes = np.where(inner, np.where(goes_left, self.left[nodes], self.right[nodes]), nodes)
        depths = np.zeros(len(data))
        for tree_leaves in self.leaf_depth[nodes]:  # tree by tree, summed in scikit-learn's order
            depths += tree_leaves
        return depths


def joint_score(forests: Sequence[CompactForest], matrix: np.ndarray) -> np.ndarray:
    """The score of one forest made of all these forests' trees, 2^(-sum of path lengths / sum of c(n)): with
    every tree grown on the same sample size that is the paper's 2^(-E[h(x)]/c(n)) over all the trees, and for
    two forests of as many trees the geometric mean of their scores."""
    lengths = sum(forest.path_lengths(matrix) for forest in forests)
    return np.asarray(2.0 ** (-np.asarray(lengths) / sum(forest.normaliser for forest in forests)))
