"""Exit codes say whether the tool worked (Ruff's and ESLint's convention)."""

OK = 0  # nothing at or above the failure threshold
FINDINGS = 1  # findings at or above the failure threshold
ERROR = 2  # usage, configuration, register or plugin error
