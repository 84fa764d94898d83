"""Photos for the face-match tests: ones that packages of the test tools ship, so nothing is downloaded."""

from __future__ import annotations

from pathlib import Path

import pytest


def package_file(module: str, *parts: str) -> Path:
    """A file a package ships (skimage's astronaut, matplotlib's Grace Hopper); fails loudly without it."""
    try:
        mod = __import__(module)
    except ImportError:
        pytest.fail(f"the face-match test images need '{module}': pip install matplotlib scikit-image "
                    "(./setup.sh test installs them)")
    return Path(mod.__file__).parent.joinpath(*parts)


def astronaut_path() -> Path:
    return package_file("skimage", "data", "astronaut.png")


def hopper_path() -> Path:
    return package_file("matplotlib", "mpl-data", "sample_data", "grace_hopper.jpg")


def astronaut() -> bytes:
    return astronaut_path().read_bytes()


def hopper() -> bytes:
    return hopper_path().read_bytes()
