"""Measure the bundled model's English→Chinese query shift and ship it (qa/embedding/language_shift.json).

The shift (:mod:`qa.embedding.alignment`) is the mean query vector of ``PAIRS`` Chinese
CC-CEDICT words minus that of their English glosses; no evaluation data is read. Other models
measure theirs at their first question and cache it; the bundled one ships it so that no
installation pays the ~20 s. Rerun after changing the bundled model or ``PAIRS``.

Usage: .venv/bin/python bench/fit_language_shift.py [--write]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXAMPLE = """example:
  .venv/bin/python bench/fit_language_shift.py           # prints the shift's norm and fingerprint
  .venv/bin/python bench/fit_language_shift.py --write   # also writes qa/embedding/language_shift.json
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=EXAMPLE,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="write the shipped file")
    args = parser.parse_args(argv)
    import numpy as np

    from qa.config import Settings
    from qa.embedding import alignment
    from qa.embedding.encoders import get_encoder

    encoder = get_encoder(Settings.from_env())
    shift = alignment.measure(encoder)
    if shift is None:
        print("error: CC-CEDICT could not be read", file=sys.stderr)
        return 1
    key = encoder.fingerprint.split("+")[0]
    print(json.dumps({"model": encoder.name, "fingerprint": key, "pairs": alignment.PAIRS,
                      "norm": round(float(np.linalg.norm(shift)), 4)}))
    if args.write:
        alignment.SHIPPED_FILE.write_text(json.dumps({key: [round(float(x), 6) for x in shift]}) + "\n",
                                          encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
