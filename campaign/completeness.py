"""What other apps know about whether a standard's work is really complete, without campaign (or tasks)
importing them: the evidence archive registers a check in its AppConfig.ready() that names, for each standard,
its unmet evidence requirements (会议纪要 2 件, 已通过 1 件).

    from campaign import completeness

    def unmet_evidence(criteria) -> dict[int, list[str]]: ...

    completeness.register(unmet_evidence)

Checking a task off and marking a standard 达标 read `gaps()`; a check answers in a constant number of queries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

Check = Callable[[list], dict[int, list[str]]]
_checks: list[Check] = []


def register(check: Check) -> Check:
    if check not in _checks:
        _checks.append(check)
    return check


def gaps(criteria: Iterable) -> dict[int, list[str]]:
    """{criterion_id: [what is missing, …]} for the standards among `criteria` that are not complete."""
    criteria = list(criteria)
    result: dict[int, list[str]] = {}
    if not criteria:
        return result
    for check in _checks:
        for pk, lines in check(criteria).items():
            if lines:
                result.setdefault(pk, []).extend(lines)
    return result
