"""`fhirfort down`: stop the local hosts and remove the lab network; keep the hosts' data."""

from __future__ import annotations

import argparse

from fhirfort.local.down import take_down
from fhirfort.local.paths import LabPaths
from fhirfort.local.steps import StepError, fail


def configure(parser: argparse.ArgumentParser) -> None:
    _ = parser


def run(args: argparse.Namespace) -> int:
    _ = args
    try:
        return take_down(LabPaths.default())
    except StepError as exc:
        return fail(exc)
