"""The Lambda bundles: under Lambda's size limit, built for arm64 CPython 3.12, stripped of what Lambda never
reads, and importable.

The synthesised bundles hold aarch64 wheels, which cannot load on this machine, so their import is checked
on a build of the same recipe for this machine's interpreter (same pins, same removal of runtime-provided
packages, same stripping): it proves the recipe leaves everything the handlers import, while the checks on
the real bundles prove every binary in them is built for the Lambda runtime.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from isoflow.functions import FUNCTIONS, FunctionSpec
from isoflow.settings import ENVIRONMENT
from pipeline.bundling import (
    HOST_TARGET,
    LAMBDA_UNZIPPED_LIMIT_BYTES,
    NOT_SHIPPED,
    OWN_PACKAGES,
    RUNTIME_PROVIDED,
    STRIP_DIRECTORIES,
    STRIP_PATHS,
    STRIP_SUFFIXES,
    assemble,
    canonical_name,
    runtime_layer,
)

pytestmark = pytest.mark.xdist_group("infra")

EM_AARCH64 = 183
BUNDLES = sorted({spec.bundle for spec in FUNCTIONS})


@pytest.fixture(scope="session")
def lambda_bundles(cloud_assembly: Path, template_json: dict[str, Any]) -> dict[str, Path]:
    """Bundle kind -> its asset directory in the synthesised cloud assembly."""
    by_handler = {spec.handler: spec.bundle for spec in FUNCTIONS}
    found: dict[str, Path] = {}
    for resource in template_json["Resources"].values():
        handler = resource.get("Properties", {}).get("Handler")
        if resource["Type"] == "AWS::Lambda::Function" and handler in by_handler:
            found[by_handler[handler]] = cloud_assembly / resource["Metadata"]["aws:asset:path"]
    return found


@pytest.fixture(scope="session")
def host_bundles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    bundles = {}
    for bundle in BUNDLES:
        bundles[bundle] = tmp_path_factory.mktemp(f"host-{bundle}")
        assemble(bundle, bundles[bundle], HOST_TARGET)  # type: ignore[arg-type]
    return bundles


def size_of(directory: Path) -> int:
    return sum(path.lstat().st_size for path in directory.rglob("*") if path.is_file())


@pytest.mark.parametrize("bundle", BUNDLES)
def test_bundle_fits_lambdas_unzipped_limit(lambda_bundles: dict[str, Path], bundle: str) -> None:
    assert size_of(lambda_bundles[bundle]) < LAMBDA_UNZIPPED_LIMIT_BYTES


@pytest.mark.parametrize("bundle", BUNDLES)
def test_bundle_binaries_are_built_for_arm64_cpython_312(lambda_bundles: dict[str, Path], bundle: str) -> None:
    for library in lambda_bundles[bundle].rglob("*.so*"):
        header = library.read_bytes()[:20]
        assert header[:4] == b"\x7fELF", library
        assert int.from_bytes(header[18:20], "little") == EM_AARCH64, library
        if ".cpython-" in library.name:
            assert ".cpython-312-aarch64-linux-gnu.so" in library.name, library


@pytest.mark.parametrize("bundle", BUNDLES)
def test_bundle_leaves_out_what_lambda_provides_or_never_reads(lambda_bundles: dict[str, Path], bundle: str) -> None:
    root = lambda_bundles[bundle]
    distributions = {canonical_name(p.name.split("-")[0]) for p in root.glob("*.dist-info")}
    assert distributions.isdisjoint(RUNTIME_PROVIDED)
    assert all((root / package / "__init__.py").is_file() for package in OWN_PACKAGES)
    for path in root.rglob("*"):
        assert path.name not in STRIP_DIRECTORIES and path.suffix not in STRIP_SUFFIXES, path
    assert not any((root / prefix).exists() for prefix in STRIP_PATHS)
    assert not any((root / local_only).exists() for local_only in NOT_SHIPPED)


def test_detector_bundle_keeps_the_vendored_shared_libraries(lambda_bundles: dict[str, Path]) -> None:
    for vendored in ("numpy.libs", "scipy.libs", "scikit_learn.libs"):
        assert any((lambda_bundles["detector"] / vendored).glob("*.so*")), vendored


def run_in_bundle(bundle: Path, code: str) -> subprocess.CompletedProcess[str]:
    """Runs `code` with only the bundle, what the Lambda runtime provides and the standard library."""
    environment = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": os.pathsep.join((str(bundle), str(runtime_layer(HOST_TARGET)))),
        "AWS_DEFAULT_REGION": "us-east-1",
        **{variable: f"isoflow-{variable.lower()}" for variable in ENVIRONMENT.values()},
    }
    return subprocess.run(
        [sys.executable, "-S", "-c", code], cwd=bundle, env=environment, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda spec: spec.name)
def test_handler_imports_from_its_bundle(host_bundles: dict[str, Path], spec: FunctionSpec) -> None:
    module, attribute = spec.handler.rsplit(".", 1)
    result = run_in_bundle(
        host_bundles[spec.bundle], f"import importlib; assert callable(importlib.import_module({module!r}).{attribute})"
    )
    assert result.returncode == 0, result.stderr


def test_detector_bundle_fits_and_scores_an_isolation_forest(host_bundles: dict[str, Path]) -> None:
    code = """
import io, json, joblib, numpy
from sklearn.ensemble import IsolationForest
rows = numpy.random.default_rng(7).normal(size=(200, 3))
model = IsolationForest(n_estimators=20, random_state=7).fit(rows)
buffer = io.BytesIO(); joblib.dump(model, buffer); buffer.seek(0)
scores = -joblib.load(buffer).score_samples(numpy.array([[0.0, 0.0, 0.0], [9.0, 9.0, 9.0]]))
print(json.dumps([float(s) for s in scores]))
"""
    result = run_in_bundle(host_bundles["detector"], code)
    assert result.returncode == 0, result.stderr
    usual, outlier = json.loads(result.stdout)
    assert 0 < usual < outlier < 1
