"""What data protection re-applies after a database restore.

A backup is a copy of the past: it brings back tenants that have since been purged and
people who have since been erased. Both decisions live outside the database — destroyed
keys in the keyring, erasures in their journal — so they survive the restore and are
applied again here, before anyone uses the restored data.
"""

from __future__ import annotations

from budstikke.privacy import dsr_journal, offboarding


def after_restore() -> list[str]:
    """Re-apply purges (and erasures), returning one line per thing done, for the operator."""
    lines: list[str] = []
    for certificate in offboarding.reapply_after_restore():
        lines.append(
            f"tenant {certificate.tenant_name}: its keys were destroyed; "
            f"{sum(certificate.rows.values())} restored rows deleted again "
            f"(certificate {certificate.number})"
        )
    lines.append(dsr_journal.reapply().line())
    return lines
