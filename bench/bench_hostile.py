"""Hostile spreadsheets: how long the error-cell scan takes on formula cells without a cached
value, and how long a crafted file takes to be refused. Prints figures; asserts nothing.

    python bench/bench_hostile.py [CELLS]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from yoolla_tui.core.calls.importing import isolate, readers
from yoolla_tui.core.kernel.errors import BadInput


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cells", nargs="?", type=int, default=200_000, help="formula cells to scan (200,000)")
    cells = parser.parse_args().cells
    xml = ("<worksheet><sheetData><row r=\"1\">" + "".join(f'<c r="B{i}" t="e"><f>1/0</f></c>' for i in range(1, cells + 1))
           + "</row></sheetData></worksheet>").encode()
    start = time.perf_counter()
    found = readers.error_cells(xml)
    print(f"error-cell scan: {cells:,} formula cells without a value ({len(xml) / 1e6:.1f} MB XML): "
          f"{time.perf_counter() - start:.2f} s, {len(found):,} found")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.hostile.test_hostile_files import header_row, with_sheet_xml

    with tempfile.TemporaryDirectory() as tmp:
        for name, kwargs in (("XFD1048576 cell", {"rows_xml": header_row() + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'}),
                             ("24 MB-unpacked zip bomb", {"rows_xml": header_row(), "pad_mb": 24}),
                             ("ZZ999999 cell (memory limit)", {"rows_xml": header_row() + '<row r="999999"><c r="ZZ999999"><v>1</v></c></row>'})):
            path = with_sheet_xml(Path(tmp) / "f.xlsx", **kwargs)
            start = time.perf_counter()
            try:
                isolate.read_book(path).close()
                outcome = "read"
            except BadInput as exc:
                outcome = "refused: " + exc.message[:70]
            print(f"{name} ({path.stat().st_size:,} bytes): {time.perf_counter() - start:.2f} s, {outcome}")


if __name__ == "__main__":
    main()
