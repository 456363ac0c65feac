"""Lambda bundles built without Docker, from wheels for the target runtime, cached by what goes into them.

A bundle is the third-party packages of one kind (see `isoflow.functions.Bundle`) plus our own packages.
Versions come from pyproject.toml, the one place that pins them; this module only says which distributions
each kind needs. pip installs wheels for the Lambda platform (`--platform` for both manylinux tags, or it
silently picks old wheels), the packages the Lambda runtime already ships are removed, and what Lambda never
reads (tests, sources, headers, bytecode for another interpreter) is stripped.

The third-party layer is cached under build/bundles/ by a hash of the requirements, target and strip rules,
so a synth after the first only hard-links it into the asset and copies our packages on top.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from importlib.metadata import distributions
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import AssetHashType, BundlingOptions, ILocalBundling
from aws_cdk import aws_lambda as lambda_

from isoflow.functions import Bundle

REPO_ROOT = Path(__file__).resolve().parent.parent
CACHE_ROOT = REPO_ROOT / "build" / "bundles"

LAMBDA_RUNTIME = lambda_.Runtime.PYTHON_3_12
LAMBDA_ARCHITECTURE = lambda_.Architecture.ARM_64
# Lambda's limit for a function's unzipped code.
LAMBDA_UNZIPPED_LIMIT_BYTES = 250 * 1024 * 1024

# Third-party distributions per bundle kind (names only: pins and extras come from pyproject.toml). Only the
# API's bundle carries pydantic: the generator and the detector never import it (tests/infra imports every
# handler with nothing but its bundle and what the runtime provides).
BUNDLE_DISTRIBUTIONS: dict[Bundle, tuple[str, ...]] = {
    "api": ("aws-lambda-powertools", "pydantic"),
    "generator": ("aws-lambda-powertools", "faker"),
    "detector": ("aws-lambda-powertools", "numpy", "scipy", "scikit-learn", "joblib"),
}

# Our packages, shipped in every bundle, but for the parts that only run on a machine: the local runtime
# (moto) and the command line.
OWN_PACKAGES = ("isoflow", "handlers", "model")
NOT_SHIPPED = ("isoflow/local/", "isoflow/cli/")

# The Lambda Python runtime ships boto3 and its dependencies; bundling them again only adds size.
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3"})

# Never read at run time. The vendored `*.libs/` shared objects stay: numpy and scipy load them.
STRIP_DIRECTORIES = frozenset({"tests", "__pycache__"})
STRIP_SUFFIXES = frozenset({".pyx", ".pxd", ".pxi", ".pyi", ".c", ".h"})
STRIP_PATHS = ("numpy/_core/include",)


@dataclass(frozen=True)
class Target:
    """The interpreter a bundle is built for; no platforms means the machine running the build."""

    python_version: str
    platforms: tuple[str, ...]

    def pip_flags(self) -> list[str]:
        if not self.platforms:
            return ["--only-binary=:all:"]
        flags = [f"--platform={platform}" for platform in self.platforms]
        return [*flags, f"--python-version={self.python_version}", "--implementation=cp", "--only-binary=:all:"]


LAMBDA_TARGET = Target(
    python_version=LAMBDA_RUNTIME.name.removeprefix("python"),
    platforms=("manylinux2014_aarch64", "manylinux_2_28_aarch64"),
)
# The same recipe for this machine's interpreter: a bundle that can be imported here.
HOST_TARGET = Target(python_version=f"{sys.version_info.major}.{sys.version_info.minor}", platforms=())


def canonical_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned_requirements(pyproject: Path = REPO_ROOT / "pyproject.toml") -> dict[str, str]:
    """Canonical distribution name -> its requirement line in pyproject.toml's `project.dependencies`."""
    dependencies = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    pins: dict[str, str] = {}
    for line in dependencies:
        match = re.match(r"[A-Za-z0-9._-]+", line)
        if match is None:
            raise ValueError(f"unreadable requirement in {pyproject}: {line!r}")
        pins[canonical_name(match.group())] = line
    return pins


def bundle_requirements(bundle: Bundle, pins: dict[str, str] | None = None) -> list[str]:
    pins = pinned_requirements() if pins is None else pins
    missing = [name for name in BUNDLE_DISTRIBUTIONS[bundle] if canonical_name(name) not in pins]
    if missing:
        raise ValueError(f"bundle {bundle!r} needs {missing}, which pyproject.toml does not pin")
    return [pins[canonical_name(name)] for name in BUNDLE_DISTRIBUTIONS[bundle]]


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:20]


def _layer_key(bundle: Bundle, target: Target) -> str:
    recipe = {
        "requirements": bundle_requirements(bundle),
        "target": asdict(target),
        "runtime_provided": sorted(RUNTIME_PROVIDED),
        "strip": [sorted(STRIP_DIRECTORIES), sorted(STRIP_SUFFIXES), STRIP_PATHS],
    }
    return f"{bundle}-{_digest(recipe)}"


def _own_files() -> Iterator[Path]:
    for package in OWN_PACKAGES:
        for path in sorted((REPO_ROOT / package).rglob("*")):
            relative = path.relative_to(REPO_ROOT)
            if (
                path.is_file()
                and not _stripped(relative)
                and path.suffix != ".pyc"
                and not relative.as_posix().startswith(NOT_SHIPPED)
            ):
                yield path


def source_digest() -> str:
    digest = hashlib.sha256()
    for path in _own_files():
        digest.update(str(path.relative_to(REPO_ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def _stripped(relative: Path) -> bool:
    return (
        any(part in STRIP_DIRECTORIES for part in relative.parts)
        or relative.suffix in STRIP_SUFFIXES
        or any(relative.as_posix().startswith(prefix) for prefix in STRIP_PATHS)
    )


def _remove_runtime_provided(target_dir: Path) -> None:
    """Delete each runtime-provided distribution by its RECORD, so nothing of it is left behind."""
    for dist in distributions(path=[str(target_dir)]):
        if canonical_name(dist.metadata["Name"]) not in RUNTIME_PROVIDED:
            continue
        for file in dist.files or ():
            (target_dir / file).unlink(missing_ok=True)
    for directory in sorted((p for p in target_dir.rglob("*") if p.is_dir()), reverse=True):
        if not any(directory.iterdir()):
            directory.rmdir()


def _strip(target_dir: Path) -> None:
    for prefix in STRIP_PATHS:
        shutil.rmtree(target_dir / prefix, ignore_errors=True)
    for directory, subdirectories, files in os.walk(target_dir):
        for name in [name for name in subdirectories if name in STRIP_DIRECTORIES]:
            shutil.rmtree(Path(directory) / name)
            subdirectories.remove(name)
        for name in files:
            if Path(name).suffix in STRIP_SUFFIXES:
                (Path(directory) / name).unlink()


def third_party_layer(bundle: Bundle, target: Target = LAMBDA_TARGET) -> Path:
    """The installed, stripped third-party packages of a bundle, built once per recipe."""

    def finish(installed: Path) -> None:
        _remove_runtime_provided(installed)
        _strip(installed)

    return _cached_install(_layer_key(bundle, target), bundle_requirements(bundle), target, finish)


def runtime_layer(target: Target = HOST_TARGET) -> Path:
    """What the Lambda runtime provides (boto3 and its dependencies, at our pins): with a bundle, enough to
    import its handlers outside Lambda."""
    pins = pinned_requirements()
    requirements = sorted(pins[name] for name in RUNTIME_PROVIDED if name in pins)
    key = f"runtime-{_digest({'requirements': requirements, 'target': asdict(target)})}"
    return _cached_install(key, requirements, target, lambda _: None)


def _cached_install(key: str, requirements: list[str], target: Target, finish: Callable[[Path], None]) -> Path:
    layer = CACHE_ROOT / key
    if layer.is_dir():
        return layer
    CACHE_ROOT.mkdir(parents=True, exist_ok=True)
    # Two synths at once (parallel tests) build a layer once: the second waits, then finds it built.
    with open(f"{layer}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if layer.is_dir():
            return layer
        building = Path(f"{layer}.building")
        shutil.rmtree(building, ignore_errors=True)
        command = [
            sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
            "--target", str(building), *target.pip_flags(), *requirements,
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"installing {key} failed: {' '.join(command)}\n{result.stderr}")
        finish(building)
        building.rename(layer)
    return layer


def _link_tree(source: Path, destination: Path) -> None:
    """Hard-link (or copy, across file systems) every file: the asset costs no space and no time."""
    for directory, _, files in os.walk(source):
        relative = Path(directory).relative_to(source)
        (destination / relative).mkdir(parents=True, exist_ok=True)
        for name in files:
            try:
                os.link(Path(directory) / name, destination / relative / name)
            except OSError:
                shutil.copy2(Path(directory) / name, destination / relative / name)


def assemble(bundle: Bundle, output_dir: Path, target: Target = LAMBDA_TARGET) -> None:
    """Write the whole bundle (third-party layer + our packages) into `output_dir`."""
    _link_tree(third_party_layer(bundle, target), output_dir)
    for path in _own_files():
        destination = output_dir / path.relative_to(REPO_ROOT)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)


@jsii.implements(ILocalBundling)
class LocalBundling:
    """CDK's hook for bundling without Docker: it always bundles here, or fails with pip's message."""

    def __init__(self, bundle: Bundle) -> None:
        self.bundle = bundle

    # jsii passes the bundling options positionally, although the interface declares them as keywords.
    def try_bundle(self, output_dir: str, *_options: Any, **_keywords: Any) -> bool:
        assemble(self.bundle, Path(output_dir))
        return True


def lambda_code(bundle: Bundle) -> lambda_.Code:
    return lambda_.Code.from_asset(
        str(REPO_ROOT / "pipeline"),
        # The recipe and our sources decide the content, so CDK neither fingerprints a directory nor rebuilds.
        asset_hash=f"{_layer_key(bundle, LAMBDA_TARGET)}-{source_digest()}",
        asset_hash_type=AssetHashType.CUSTOM,
        bundling=BundlingOptions(
            # Only used if local bundling declined, which it never does; named so the asset is well-formed.
            image=LAMBDA_RUNTIME.bundling_image,
            local=LocalBundling(bundle),
        ),
    )
