"""Importing call lists: readers for every spreadsheet an office has, header recognition, the
bulk row loader, the seed-002 workbook migration, and batches that can be listed and undone."""

from yoolla_tui.core.calls.importing.headers import FIELDS
from yoolla_tui.core.calls.importing.batches import batch_listing, list_batches, rejected_listing, show_batch, undo_batch
from yoolla_tui.core.calls.importing.isolate import SpooledBook, read_book
from yoolla_tui.core.calls.importing.service import (RESULT_KEYS, ImportJob, check_flags, plan_import, read_rows, rejected_path,
                                                     require_importer, run_import, write_import)

__all__ = ["FIELDS", "RESULT_KEYS", "ImportJob", "SpooledBook", "batch_listing", "check_flags", "list_batches", "plan_import",
           "read_book", "read_rows", "rejected_listing", "rejected_path", "require_importer", "run_import", "show_batch",
           "undo_batch", "write_import"]
