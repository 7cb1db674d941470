"""Regenerate the committed corpus: `python -m fhirfort.suites.attack.generate [--check]`.

Deterministic (fixed seeds, no clock): `--check` fails when the committed files differ from a fresh run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from fhirfort.suites.attack import corpus, gen_attacks, gen_legit


def write(attacks: Path = corpus.ATTACKS_FILE, legit: Path = corpus.LEGIT_FILE) -> tuple[int, int]:
    atk = gen_attacks.generate()
    leg = gen_legit.generate()
    attacks.parent.mkdir(parents=True, exist_ok=True)
    corpus.dump(atk, attacks)
    corpus.dump(leg, legit)
    return len(atk), len(leg)


def check() -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        a, lg = Path(tmp) / "a.jsonl", Path(tmp) / "l.jsonl"
        write(a, lg)
        return a.read_bytes() == corpus.ATTACKS_FILE.read_bytes() and lg.read_bytes() == corpus.LEGIT_FILE.read_bytes()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    if args.check:
        ok = check()
        print("corpus up to date" if ok else "corpus differs from the generator: regenerate it", file=sys.stderr)
        return 0 if ok else 1
    n_atk, n_leg = write()
    print(f"wrote {n_atk} attacks to {corpus.ATTACKS_FILE} and {n_leg} legitimate requests to {corpus.LEGIT_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
