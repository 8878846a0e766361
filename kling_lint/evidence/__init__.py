"""Evidence from live runs: the exchange log, what teams already record (HAR), and what a
log proves about the register's statuses.

- `log`: the exchange log (JSON Lines, one API call per line; its JSON Schema is
  `schemas/exchange-log.schema.json`), written safely by many threads and processes;
- `record`: turning one request and its response into a log line, with media reduced to
  its form, size and digest and every credential left out;
- `har`: reading HAR 1.2 files (browser dev tools, mitmproxy, Playwright) as exchanges;
- `review`: what the exchanges show against the register, and the status changes each
  would justify.
"""
