"""Which settings hold a secret: one list for the config check, the children's environment (childenv.py)
and the Ansible modules' `no_log`. No imports: everything may use it."""

# The settings that hold a secret: never printed, never on a command line, never in a child's environment
# (childenv.py), `no_log` in the Ansible modules. A secret setting added to Settings is added here too; the
# suffixes are the safety net for one that is not (a *_key, *_password, *_token...).
SECRETS = ("password", "journal_password", "cmapi_key", "notify")  # notify: its URLs often hold a token
SECRET_SUFFIXES = ("_PASSWORD", "_PASS", "_KEY", "_TOKEN", "_SECRET")


def is_secret(name: str) -> bool:
    """Whether the setting `name` holds a secret."""
    return name in SECRETS or ("_" + name.upper()).endswith(SECRET_SUFFIXES)
