"""The checking stage: payload in, findings out (no printing; the one file it reads is an
endpoint's generated schema, once per process).

`linter.Linter` holds, per endpoint, the compiled generated schema (`schema.SchemaCheck`:
structure, statuses, declared rules) and the rules that run beside it (`rules/`: what a
schema cannot say). `endpoint` picks the endpoint a payload is for; `wording` writes what a
schema finding says from the register.
"""
