"""Where things live: the shipped data (inside the package) and the user's data directory."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import platformdirs

PACKAGE_DIR = Path(__file__).resolve().parents[2]
# The shipped defaults (pipelines, lost reasons, status words, process templates, document
# templates, the demo lists) live inside the package, so a wheel or `pipx install` finds them
# exactly as an editable checkout does. A regular install unpacks the package as plain files.
DATA_DIR = Path(str(files("yoolla_tui").joinpath("data")))
MIGRATIONS_DIR = PACKAGE_DIR / "migrations"
LOCALE_DIR = PACKAGE_DIR / "locale"


def user_data_dir() -> Path:
    path = Path(platformdirs.user_data_dir("yoolla", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_url() -> str:
    return f"sqlite:///{user_data_dir() / 'yoolla.sqlite'}"


def demo_db_url() -> str:
    return f"sqlite:///{user_data_dir() / 'demo.sqlite'}"
