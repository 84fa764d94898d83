"""A hub process for the chaos test; `--mutant no_dedupe` is the broken variant that applies resent ops again."""

from __future__ import annotations

import argparse
import sys


def install_no_dedupe() -> None:
    from sqlalchemy import delete

    from kiosk.hub.core import Hub
    from kiosk.hub.models import InboxOp

    def push_without_dedupe(self, s, kiosk, ops):
        mark = kiosk.high_water_mark
        resent = [op for op in ops if op.seq <= mark]
        if resent:  # BROKEN: a resend is applied again instead of being checked and acknowledged
            s.execute(delete(InboxOp).where(InboxOp.kiosk_id == kiosk.kiosk_id, InboxOp.seq.in_([o.seq for o in resent])))
            self._apply(s, kiosk, resent)
        fresh = [op for op in ops if op.seq > mark]
        if fresh and fresh[0].seq == mark + 1:
            self._apply(s, kiosk, fresh)
            kiosk.high_water_mark = fresh[-1].seq
        return {"high_water_mark": kiosk.high_water_mark, "accepted": len(fresh), "duplicates": 0,
                "gap": bool(fresh) and fresh[0].seq != mark + 1, "rejected": []}

    Hub._push_locked = push_without_dedupe


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mutant", default="none")
    args = parser.parse_args()
    if args.mutant == "no_dedupe":
        install_no_dedupe()
    import uvicorn

    from kiosk.hub.app import create_app
    from kiosk.hub.core import Hub
    from kiosk.hub.db import open_hub_database

    uvicorn.run(create_app(Hub(open_hub_database(args.db))), host="127.0.0.1", port=args.port, log_level="error")
    return 0


if __name__ == "__main__":
    sys.exit(main())
