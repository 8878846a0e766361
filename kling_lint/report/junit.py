"""`--format junit`: JUnit XML with one test case per payload (blocked payloads fail)."""

from __future__ import annotations

import re
from typing import TextIO
from xml.etree import ElementTree as ET

from kling_lint.report._common import label, printable
from kling_lint.results import RunResult

# Characters XML 1.0 cannot hold at all, even as references: controls and lone surrogates.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    """Text an XML parser accepts: what XML cannot hold is shown as a backslash escape."""
    return _NOT_XML.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


def _lines(diagnostics: list[str]) -> str:
    return _xml("\n".join(diagnostics))


def report(
    result: RunResult, stream: TextIO, *, verbose: bool, color: bool, quiet: bool = False
) -> None:
    failures = sum(1 for f in result.files if f.blocked)
    suites = ET.Element(
        "testsuites", name="kling-lint", tests=str(len(result.files)), failures=str(failures)
    )
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="kling-lint",
        tests=str(len(result.files)),
        failures=str(failures),
        errors="0",
    )
    if result.configs:
        properties = ET.SubElement(suite, "properties")
        for config in result.configs:
            path = _xml(config.path or "<defaults>")
            ET.SubElement(properties, "property", name="config", value=path)
        for notice in result.notices:
            ET.SubElement(properties, "property", name="warning", value=_xml(notice))
    for file in result.files:
        case = ET.SubElement(
            suite, "testcase", classname=file.endpoint or "payload", name=_xml(label(file))
        )
        listed = [
            f"{printable(file.path)}:{d.line or 1}:{d.column or 1}: {d.code} "
            f"{d.severity.label} {printable(d.message)}"
            + (
                f" [{d.suppressed_by.by}: {printable(d.suppressed_by.reason)}]"
                if d.suppressed_by
                else ""
            )
            for d in file.diagnostics
        ]
        if file.blocked:
            first = next(d for d in file.diagnostics if d.counts and d.severity >= file.fail_on)
            failure = ET.SubElement(
                case, "failure", message=_xml(f"{first.code} {first.message}"), type=first.code
            )
            failure.text = _lines(listed)
        elif listed:
            ET.SubElement(case, "system-out").text = _lines(listed)
    ET.indent(suites)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    # ASCII with character references: valid whatever encoding the stream has.
    stream.write(ET.tostring(suites, encoding="us-ascii", xml_declaration=False).decode("ascii"))
    stream.write("\n")
