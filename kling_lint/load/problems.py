"""The kinds of problem the loader reports. The loader says what is wrong with a file;
which rule code a kind is reported under is the check stage's business
(`kling_lint.check.rules.LOADER_CODES`)."""

from __future__ import annotations

import enum


class Problem(str, enum.Enum):
    """What the loader found wrong with a file or a value in it."""

    UNREADABLE = "unreadable"  # cannot be read or parsed, or past a limit
    DUPLICATE_KEY = "duplicate-key"
    NON_JSON_VALUE = "non-json-value"  # NaN, Infinity, a YAML-only type
    AMBIGUOUS_YAML = "ambiguous-yaml-scalar"  # read otherwise by a YAML 1.1 reader
    NOT_A_PAYLOAD = "not-a-payload-file"  # by its name (README.md)
    NOT_A_PAYLOAD_BY_CONTENT = "not-a-payload-by-content"  # a log, a register file, a report
    ENVELOPE_KEY = "envelope-key"  # a key beside the envelope's body
    ENVELOPE_ENDPOINT = "envelope-endpoint"  # an envelope endpoint that is not a string
    ENVELOPE_BODY = "envelope-body"  # an envelope body that is not an object
