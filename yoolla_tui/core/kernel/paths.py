"""Where things live: the shipped data/ folder and the user's data directory."""

from __future__ import annotations

from pathlib import Path

import platformdirs

PACKAGE_DIR = Path(__file__).resolve().parents[2]
# data/ sits beside the package in the repository (editable install, as the README does).
DATA_DIR = PACKAGE_DIR.parent / "data"
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
