"""Care between meetings: private follow-ups that only a reason can open (issue 14).

See docs/followups.md. The models belong to the ``meetings`` app (``meetings/models.py``
imports them); everything that writes goes through ``meetings.followups.actions``; every
"who may" is in ``meetings.followups.permissions``.
"""
