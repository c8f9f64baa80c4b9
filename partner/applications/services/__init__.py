"""Writes for applications, one module per concern.

- ``configuration``: the cached form configuration of a posting.
- ``intake``: storing an application (with its files) and confirming it to the candidate.
- ``submission``: sending it to SmartRecruiters through the shared outbox.
- ``status``: reading SmartRecruiters' status of a sent application.
- ``erasure``: erasing personal data, on request and after the retention period.

No network call runs inside a database transaction: a submission is claimed, posted
outside any transaction, and its outcome recorded afterwards.
"""
