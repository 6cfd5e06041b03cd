"""Writes of the evidence archive. Each is one transaction with its history entry (EvidenceEvent); state changes
are conditional UPDATEs, so that of two people acting at once exactly one wins.

intake: registering an upload or a link, linking an existing item, archive numbers; review: accepting and
returning (待审核 → 已采用 / 已退回); versions: edits, new versions and new files of an item; recycle_bin: deleting,
restoring and purging; activities: creating and changing activities (活动).
"""

from ._common import ReviewError
from .activities import activity_create, activity_update
from .carry import already_linked, evidence_link_into
from .downloads import evidence_downloaded
from .intake import (
    DuplicateFound,
    EvidenceMeta,
    allocate_archive_number,
    evidence_link,
    evidence_register,
    evidence_register_link,
    stored_file_create,
)
from .recycle_bin import evidence_delete, evidence_purge, evidence_restore
from .review import ACCEPT, RETURN, evidence_accept, evidence_bulk_review, evidence_return
from .versions import evidence_edit, evidence_new_version, evidence_replace_file, is_latest, latest_version

__all__ = [
    "ACCEPT",
    "RETURN",
    "DuplicateFound",
    "EvidenceMeta",
    "ReviewError",
    "activity_create",
    "activity_update",
    "allocate_archive_number",
    "already_linked",
    "evidence_accept",
    "evidence_bulk_review",
    "evidence_delete",
    "evidence_downloaded",
    "evidence_edit",
    "evidence_link",
    "evidence_link_into",
    "evidence_new_version",
    "evidence_purge",
    "evidence_register",
    "evidence_register_link",
    "evidence_replace_file",
    "evidence_restore",
    "evidence_return",
    "is_latest",
    "latest_version",
    "stored_file_create",
]
