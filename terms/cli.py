"""`yakkan review` and `yakkan lint`: the commands on terms texts."""

from __future__ import annotations

import json
from argparse import Namespace

from yakkan.model.spec import load_spec


def run_review(args: Namespace) -> int:
    from .review import diff_specs, format_changes

    old, new = load_spec(args.old), load_spec(args.new)
    changes = diff_specs(old, new)
    if args.json:
        print(json.dumps({"old": str(args.old), "new": str(args.new), "changes": [c.to_json() for c in changes]},
                         ensure_ascii=False, indent=2))  # fmt: skip
    else:
        print(f"{old.meta['name']} {old.meta['version']} → {new.meta['version']}: {len(changes)} change(s)")
        print(format_changes(changes))
    return 0
