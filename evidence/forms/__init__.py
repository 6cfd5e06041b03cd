"""The evidence forms, one module per part of the archive."""
