"""`python -m labledger.demo [RECORDS_DIR]`: (re)write the demo records and their raw files."""

from __future__ import annotations

import sys
from pathlib import Path

from labledger.demo.records import write_demo_raw, write_demo_records


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else Path("records")
    raw = write_demo_raw(target)
    written = write_demo_records(target, raw)
    print(f"wrote {len(written)} demo records and {len(raw)} raw files under {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
