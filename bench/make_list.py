"""Generate a realistic N-row call list: mixed phone formats, ~5% repeats written differently,
~3% junk rows, title lines above the header (see yoolla_tui/core/importing/samples.py).

    python bench/make_list.py 100000 --xlsx /tmp/list.xlsx --csv /tmp/list.csv
    python bench/make_list.py 1000000 --csv /tmp/list1m.csv --no-titles

N is the number of distinct clients; importing the list inserts exactly N.
"""

from __future__ import annotations

import argparse

from yoolla_tui.core.calls.importing import samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="distinct clients")
    parser.add_argument("--xlsx", help="write an .xlsx here")
    parser.add_argument("--csv", help="write a CSV here")
    parser.add_argument("--encoding", default="cp1251", help="CSV encoding (default cp1251)")
    parser.add_argument("--delimiter", default=";", help="CSV delimiter (default ;)")
    parser.add_argument("--no-titles", action="store_true", help="no title lines above the header")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not (args.xlsx or args.csv):
        parser.error("give --xlsx and/or --csv")
    if args.xlsx:
        samples.write_xlsx(args.xlsx, args.n, seed=args.seed, titles=not args.no_titles)
    if args.csv:
        samples.write_csv(args.csv, args.n, seed=args.seed, encoding=args.encoding, delimiter=args.delimiter,
                          titles=not args.no_titles)


if __name__ == "__main__":
    main()
