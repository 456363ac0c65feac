"""Cold start: the detector bundle's unzipped size, and each handler's import time in a fresh interpreter.

The size is that of the bundle CDK deploys (`pipeline.bundling`: the arm64 third-party layer from its build
cache, plus our packages); the benchmark never builds it (that needs PyPI and minutes), so without a cached
build (`cdk synth` makes one) the size is reported as missing. Import times are measured on this machine's
interpreter and installed packages, each handler module in a new process, median of a few.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from isoflow.functions import FUNCTIONS
from isoflow.local.resources import local_settings
from pipeline.bundling import CACHE_ROOT, LAMBDA_TARGET, REPO_ROOT, _layer_key, _own_files

IMPORT_PROBE = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"


def directory_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def bundle_size(bundle: str) -> dict[str, Any]:
    layer = CACHE_ROOT / _layer_key(bundle, LAMBDA_TARGET)  # type: ignore[arg-type]
    if not layer.is_dir():
        return {"bundle": bundle, "mb": None, "missing": f"no cached build at {layer.relative_to(REPO_ROOT)}"}
    own = sum(p.stat().st_size for p in _own_files())
    total = directory_bytes(layer) + own
    return {"bundle": bundle, "mb": round(total / 1024 / 1024, 1), "third_party_mb": round((total - own) / 2**20, 1)}


def import_seconds(module: str, repeats: int) -> float:
    environment = {
        **os.environ,
        **local_settings().as_environment(),
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
    times = []
    for _ in range(repeats):
        done = subprocess.run(
            [sys.executable, "-c", IMPORT_PROBE.format(module=module)],
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO_ROOT,
            env=environment,
        )
        times.append(float(done.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def run(*, repeats: int) -> dict[str, Any]:
    modules = sorted({spec.handler.rsplit(".", 1)[0] for spec in FUNCTIONS})
    imports = {module: round(import_seconds(module, repeats), 3) for module in modules}
    detector_module = next(spec.handler.rsplit(".", 1)[0] for spec in FUNCTIONS if spec.bundle == "detector")
    sizes = {bundle: bundle_size(bundle) for bundle in sorted({spec.bundle for spec in FUNCTIONS})}
    return {
        "detector_bundle_mb": sizes["detector"]["mb"],
        "detector_import_s": imports[detector_module],
        "bundles": sizes,
        "import_s": imports,
        "repeats": repeats,
    }


def table(coldstart: dict[str, Any]) -> str:
    lines = [f"{'bundle':<10} {'unzipped MB':>12}"]
    for bundle, size in coldstart["bundles"].items():
        lines.append(f"{bundle:<10} {size['mb'] if size['mb'] is not None else size['missing']:>12}")
    lines += ["", f"{'handler module':<22} {'import s (median of ' + str(coldstart['repeats']) + ')':>24}"]
    lines += [f"{module:<22} {seconds:>24.3f}" for module, seconds in coldstart["import_s"].items()]
    return "\n".join(lines)
