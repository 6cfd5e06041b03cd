"""The evidence pages, one module per part of the archive (routes in evidence/urls.py)."""
