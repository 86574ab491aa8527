"""The base of every error whose message is meant for the user."""


class SinmunError(Exception):
    """Raised for input or state the user can fix; the message says how.

    The CLI prints it as one line and exits non-zero; the API returns it as JSON.
    """
