"""Reading an existing archive for import (sources.py: a folder or a ZIP, checked; folders.py: what folder names
say; report.py: what was taken and why not). The writes are evidence/services/importing.py."""
