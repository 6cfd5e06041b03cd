"""The readiness check (迎检自查): what an inspector would flag today, standard by standard, and the
rectification tasks (整改任务) its findings become.

- registry.py: what a rule is and finds (`rule`, `Finding`, `Mention`, `RULES`);
- check.py: one run (`Check`: the campaign, the day, the reads the rules share) and `run()`;
- rules.py: the rules, one small function each; duplicates.py: alike perceptual hashes, found in bulk;
- services.py: recording a run's findings (`readiness_refresh`) and making one a rectification task
  (`finding_rectify`); selectors.py: what the page, the export and the dashboard read; access.py: who sees what;
- export.py: the 自查整改清单 workbook; views.py and urls.py: the page, the export and the one-click rectification.
"""

from . import rules as rules  # registers the rules
