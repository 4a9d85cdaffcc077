"""A phone app doing an inspector's work as fast as it can, until it is SIGKILLed.

Run as `python -m tests.faults.app_writer DB_PATH SEED` on a store that has pulled its
scope. After each committed action it prints `entity id` and flushes, so the parent knows
exactly which actions the app had reported saved when it died.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from fieldapp.store import Store
from fieldcore.problems import DomainError
from tests.faults.phone import Phone


def main(db: Path, seed: int) -> None:
    phone = Phone.__new__(Phone)  # the work methods only need a store and a folder
    phone.root, phone.store = db.parent, Store(db)
    rng = random.Random(seed)
    while True:
        before = {e.seq for e in phone.outbox()}
        try:
            rng.choice([phone.new_visit, phone.answer, phone.photo, phone.note])(rng)
        except DomainError:
            continue
        for entry in phone.outbox():
            if entry.seq not in before:
                # one write per report: a kill cannot leave half of it looking complete
                sys.stdout.write(f"SAVED {entry.entity} {entry.entity_id} {entry.seq}\n")
                sys.stdout.flush()


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
