"""The population model: what is usual across many accounts, in the features' account-relative terms.

It holds a fixed reference sample of established accounts' feature rows, and an IsolationForest fitted on a
larger sample of them. The forest scores the transactions of accounts whose history is too short for a
model of their own. The reference sample joins every account's own history when its forest is fitted: the
forest then knows what variation is ordinary in any account, so a point at the edge of one account's short
history is not isolated unless it is also unusual among accounts, and scores mean the same from one account
to the next (fitted on an account's rows alone, every account's most extreme transaction scores high).

A deployment fits its own from a sample of its stored transactions (`isoflow.detection.refit`), and `isoflow
score` and `isoflow evaluate` fit one on their input: what is ordinary depends on the bank. The one shipped
inside the package, built from generated data (see model/README.md), is only the cold start of a deployment
with too little history of its own. A model's version is the digest of its serialised form ("shipped-" and
the digest for the shipped one), and every score it gives names it.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from pathlib import Path

import joblib
import numpy as np
from sklearn.ensemble import IsolationForest

from model.config import DEFAULT_CONFIG, ScoringConfig
from model.features import FEATURE_NAMES
from model.forest import CompactForest

SHIPPED = "population.joblib"
POPULATION_SEED = 20180401
MAX_POPULATION_ROWS = 20_000
REFERENCE_ROWS = 1024


class TooLittleHistory(ValueError):
    """Too few transactions of established accounts to fit a population model: the shipped one stands in."""


class PopulationModelMissing(FileNotFoundError):
    """No population model file: build one with `isoflow score --save-population` (see model/README.md)."""


@dataclass
class PopulationModel:
    forest: IsolationForest
    reference: np.ndarray  # (REFERENCE_ROWS, n_features) rows fitted along with every account's history
    sorted_columns: np.ndarray  # one sorted row per feature, for reasons
    version: str = ""

    @cached_property
    def compact(self) -> CompactForest:
        return CompactForest.from_forest(self.forest)

    def score(self, matrix: np.ndarray) -> np.ndarray:
        return self.compact.score(matrix)


def build_population(rows: Iterable[Mapping[str, float]], config: ScoringConfig = DEFAULT_CONFIG) -> PopulationModel:
    """Fit the population model on established accounts' transactions (a deterministic sample of them)."""
    established = [row for row in rows if row.get("history_size", 0.0) >= config.min_history]
    if len(established) < REFERENCE_ROWS:
        raise TooLittleHistory(
            f"a population model needs at least {REFERENCE_ROWS} transactions of accounts with "
            f"{config.min_history} or more before them; there are {len(established)}"
        )
    matrix = np.array([[float(row.get(name, 0.0)) for name in FEATURE_NAMES] for row in established])
    rng = np.random.default_rng(POPULATION_SEED)
    matrix = matrix[rng.permutation(len(matrix))[:MAX_POPULATION_ROWS]]
    forest = IsolationForest(
        n_estimators=config.n_estimators, max_samples=min(config.max_samples, len(matrix)), random_state=POPULATION_SEED
    ).fit(matrix)
    return PopulationModel(forest, matrix[:REFERENCE_ROWS].copy(), np.sort(matrix.T, axis=1))


def dump_population(model: PopulationModel) -> tuple[bytes, str]:
    """The model serialised with joblib, and its version (the digest of those bytes), which it takes on."""
    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    data = buffer.getvalue()
    model.version = _version(data)
    return data, model.version


def loads_population(data: bytes, prefix: str = "") -> PopulationModel:
    model: PopulationModel = joblib.load(io.BytesIO(data))
    model.version = prefix + _version(data)
    return model


def read_population(path: Path, prefix: str = "") -> PopulationModel:
    try:
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise PopulationModelMissing(f"no population model at {path}") from error
    return loads_population(data, prefix)


@cache
def load_population() -> PopulationModel:
    """The population model shipped with the package (the cold start), loaded once per process."""
    return read_population(Path(str(resources.files("model") / SHIPPED)), prefix="shipped-")


def _version(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]
