"""Wall time of declaring the mocked prod stack and evaluating every policy of the pack over it.

    .venv/bin/python bench/policy_eval.py [STACK]

Goal: under 10 s (the audit runs on every `make test-fast`). Prints the phases and, last, `seconds=<total>`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fhirfort.compliance import evaluator


def main(stack: str = "prod") -> int:
    start = time.perf_counter()
    policies = evaluator.load_policies()
    loaded = time.perf_counter()
    resources = evaluator.declared_from_mocks(stack)
    declared = time.perf_counter()
    result = evaluator.evaluate(resources, stack, evaluator.stack_tags_for(stack), policies)
    done = time.perf_counter()
    print(f"load pack        {loaded - start:6.2f} s  ({len(policies)} policies)")
    print(f"declare {stack:8} {declared - loaded:6.2f} s  ({len(resources)} resources)")
    print(f"evaluate         {done - declared:6.2f} s  ({len(result.rows)} checks)")
    print(f"seconds={done - start:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2]))
