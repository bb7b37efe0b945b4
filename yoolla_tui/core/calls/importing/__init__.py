"""Importing call lists: readers for every spreadsheet an office has, header recognition, the
bulk row loader, the seed-002 workbook migration, and batches that can be listed and undone."""

from yoolla_tui.core.calls.importing.headers import FIELDS
from yoolla_tui.core.calls.importing.batches import batch_listing, list_batches, rejected_listing, show_batch, undo_batch
from yoolla_tui.core.calls.importing.service import RESULT_KEYS, rejected_path, run_import

__all__ = ["FIELDS", "RESULT_KEYS", "batch_listing", "list_batches", "rejected_listing", "rejected_path", "run_import", "show_batch", "undo_batch"]
