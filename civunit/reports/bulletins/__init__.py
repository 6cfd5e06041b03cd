"""Bulletins (内部通报): the coordinator drafts one for a period, previews it and publishes it; a published
bulletin keeps its figures as published and is numbered within its year (第3期)."""
