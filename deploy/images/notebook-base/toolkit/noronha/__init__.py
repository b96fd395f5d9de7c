"""Noronha's notebook toolkit (noronha.tools), for notebooks written for Noronha to run unchanged in the portal.

Only the part a notebook imports is here: shortcuts, the publisher and the inference servers. They resolve against
what the portal mounted for the task (PORTAL_META, PORTAL_DATASETS_DIR, PORTAL_MODEL_DIR, ...) and report through
portal_toolkit. Noronha's command line (nha) has its counterparts in the portal's API and pages (README).
"""
