"""The evidence pages, one module per part of the archive (routes in evidence/urls.py): browse (browsing, search,
the standards tree), upload (the upload page and its endpoints), items (an item's page, lists, downloads),
review, versions (history, edits, a new file), recycle_bin, activities. _upload holds @streaming_upload, the
one way a view receives a file (its upload handler and CSRF check); _common what the pages share."""
