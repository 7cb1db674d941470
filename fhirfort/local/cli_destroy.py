"""`fhirfort destroy`: down, then remove the local target's data (hosts, PKI, secrets); keep the golden cache."""

from __future__ import annotations

import argparse

from fhirfort.local.down import destroy_data, take_down
from fhirfort.local.paths import LabPaths
from fhirfort.local.steps import StepError, fail, say, step


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--golden", action="store_true", help="also remove the cached golden rootfs")


def run(args: argparse.Namespace) -> int:
    paths = LabPaths.default()
    try:
        take_down(paths)
        with step("remove data"):
            removed = destroy_data(paths)
            if args.golden:
                import shutil

                for p in (paths.golden, paths.golden_stamp):
                    if p.is_dir():
                        shutil.rmtree(p)
                    elif p.exists():
                        p.unlink()
                removed.append("golden")
            say(f"    removed: {', '.join(removed)}" if removed else "    nothing to remove")
    except StepError as exc:
        return fail(exc)
    return 0
