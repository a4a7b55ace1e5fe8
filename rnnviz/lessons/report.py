"""``rnnviz lessons check`` and ``rnnviz lessons train``: claims with their numbers, per seed."""

from __future__ import annotations

import rnnviz.lessons as lessons


def run_lessons_command(args, *, write=print) -> int:
    """Run ``rnnviz lessons check|train``; return the exit code (1 if a claim fails)."""
    names = [args.lesson] if args.lesson else list(lessons.LESSONS)
    for name in names:
        lessons.get(name)  # a clear error for an unknown name, before any training
    if args.lessons_command == "check":
        checked = lessons.check(args.lesson)
        for result in checked:
            write(str(result))
        return 0 if all(result.holds for result in checked) else 1

    seeds = args.seeds or args.seed or [0]
    table = {}  # (lesson, claim) -> {seed: ClaimResult}
    for name in names:
        for seed in seeds:
            out = args.out if seed == seeds[0] else None  # --out keeps the first seed's lesson (0: what ships)
            _, _, checked = lessons.train(name, seed=seed, out=out, progress=write)
            for result in checked:
                write(f"seed {seed}: {result}")
                table.setdefault((name, result.claim), {})[seed] = result
    write("")
    write(claim_table(table, seeds))
    return 0 if all(result.holds for row in table.values() for result in row.values()) else 1


def claim_table(table: dict, seeds: list) -> str:
    """A Markdown table: one row per claim, one column per seed: 'holds' or 'FAILS' and the claim's numbers."""
    lines = ["| lesson / claim | " + " | ".join(f"seed {seed}" for seed in seeds) + " |",
             "|---|" + "---|" * len(seeds)]
    for (lesson, claim), row in table.items():
        cells = [("holds" if row[seed].holds else "**FAILS**") + ": " + row[seed].numbers_text(", ")
                 for seed in seeds]
        lines.append(f"| {lesson} / {claim} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
