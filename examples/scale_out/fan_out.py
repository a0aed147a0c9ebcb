"""Queue every seller account's workflows on the Celery workers and print what each did."""

from __future__ import annotations

import json
import os
import sys

from accounts import load
from tasks import fan_out


def main() -> int:
    """Fan out, wait for every result, print one JSON line per task."""
    _, accounts = load(os.environ["AEB_ACCOUNTS"])
    results = fan_out(sorted(accounts)).get(timeout=600)
    for result in results:
        print(json.dumps(result, sort_keys=True))
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
