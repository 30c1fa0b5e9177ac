"""Build hook: ship the repository's `sample_manifests/` and `lessons/` inside the package.

The sample cluster's one source is the top-level `sample_manifests/` folder (the design card
names it). Building the wheel copies it to `podtui/sample_manifests/`, where
`podtui.bundled.sample_manifests()` finds it through importlib.resources. Everything else
is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SAMPLE = "sample_manifests"
# The lessons of `podtui learn` (podtui.bundled.lessons) travel the same way.
BUNDLED = (SAMPLE, "lessons")


class BuildPyWithSample(build_py):
    """build_py that also copies the sample cluster into the built `podtui` package."""

    def run(self) -> None:
        super().run()
        for folder in BUNDLED:
            source = ROOT / folder
            if self.editable_mode or not source.is_dir():
                # An editable install reads the checkout's folder directly; an sdist without
                # the folder has nothing to copy (MANIFEST.in keeps it in the sdist).
                continue
            target = Path(self.build_lib) / "podtui" / folder
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target, ignore=shutil.ignore_patterns(".*", "__pycache__"))


setup(cmdclass={"build_py": BuildPyWithSample})
