"""Typed exceptions for the API's error answers and for failed connections.

Every error the server sends is ``{"error": {"code": ..., "message": ...}}``
with a fitting HTTP status (docs/api.md, "Conventions"). Each code becomes
one class below, so callers can catch ``NotFound`` rather than compare
strings; a code this client does not know yet still maps by its HTTP status,
and failing that to the base class, so a newer server never turns an error
into a success.
"""

import builtins


class LakehouseError(Exception):
    """An error from the Lakehouse API, or no answer at all.

    ``code`` is the API's error code (``"not_found"``), ``message`` the
    server's explanation, ``status`` the HTTP status (``None`` when no answer
    came, or when the error arrived in a query result's tail after the rows
    had started, under a 200 status line).
    """

    def __init__(self, code, message, status=None):
        # The message alone as args, as str() and tracebacks expect; the
        # fields are attributes, and __reduce__ keeps pickling whole.
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status

    def __str__(self):
        if self.status is None:
            return self.message
        return f"{self.message} (HTTP {self.status}, {self.code})"

    def __reduce__(self):
        return (type(self), (self.code, self.message, self.status))

    def __repr__(self):
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, status={self.status!r})"


class InvalidArgument(LakehouseError):
    """400: bad input (SQL that does not parse, an unknown field, a bad name)."""


class InvalidKey(InvalidArgument):
    """400: an object key the store refuses."""


class Unauthenticated(LakehouseError):
    """401: no token, or one the server does not know."""


class Forbidden(LakehouseError):
    """403: too low a scope, a reserved key, or SQL the fence refuses."""


class NotFound(LakehouseError):
    """404: no such dataset, version, tag, index or object."""


class MethodNotAllowed(LakehouseError):
    """405: the route exists but not with this method."""


class Conflict(LakehouseError):
    """409: a losing overwrite, an index that exists, a duplicate append."""


class AlreadyExists(Conflict):
    """412: a conditional create of something that exists."""


class TooLarge(LakehouseError):
    """413 (or 431): over a size limit."""


class Unprocessable(LakehouseError):
    """422: readable input whose content cannot be used."""


class ResourceExhausted(LakehouseError):
    """422: a query over the server's memory limit."""


class Timeout(LakehouseError):
    """408 or 504: a request too slow, or a query past its time limit."""


class Unavailable(LakehouseError):
    """503: a dependency down, or too many connections."""


class InsufficientStorage(LakehouseError):
    """507: the server's disk is full."""


class ServerError(LakehouseError):
    """500: damaged stored data (``io_error``) or a bug (``internal``)."""


class ConnectionError(LakehouseError, builtins.ConnectionError):
    """No answer: the server could not be reached, or stopped answering.

    Also a subclass of the built-in ``ConnectionError``, so code that already
    catches that (or ``OSError``) keeps working.
    """

    def __init__(self, message, url=None):
        LakehouseError.__init__(self, "connection", message, None)
        self.url = url

    def __reduce__(self):
        return (type(self), (self.message, self.url))

    def __str__(self):
        return self.message


_BY_CODE = {
    "invalid_argument": InvalidArgument,
    "bad_request": InvalidArgument,
    "uri_too_long": InvalidArgument,
    "range_not_satisfiable": InvalidArgument,
    "invalid_key": InvalidKey,
    "unauthenticated": Unauthenticated,
    "forbidden": Forbidden,
    "not_found": NotFound,
    "method_not_allowed": MethodNotAllowed,
    "conflict": Conflict,
    "already_exists": AlreadyExists,
    "too_large": TooLarge,
    "unprocessable": Unprocessable,
    "resource_exhausted": ResourceExhausted,
    "timeout": Timeout,
    "unavailable": Unavailable,
    "insufficient_storage": InsufficientStorage,
    "internal": ServerError,
    "io_error": ServerError,
}

_BY_STATUS = {
    400: InvalidArgument,
    401: Unauthenticated,
    403: Forbidden,
    404: NotFound,
    405: MethodNotAllowed,
    408: Timeout,
    409: Conflict,
    412: AlreadyExists,
    413: TooLarge,
    422: Unprocessable,
    431: TooLarge,
    502: Unavailable,
    503: Unavailable,
    504: Timeout,
    507: InsufficientStorage,
}


def error_class(code, status=None):
    """The exception class for an API error code, else for the HTTP status."""
    cls = _BY_CODE.get(code)
    if cls is None and status is not None:
        cls = _BY_STATUS.get(status)
        if cls is None and status >= 500:
            cls = ServerError
    return cls or LakehouseError


def error_from_body(status, body):
    """The exception for an error answer: its JSON error if it has one, else its text."""
    import json

    code = None
    message = None
    try:
        parsed = json.loads(body.decode("utf-8", "replace") if isinstance(body, bytes) else body)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and isinstance(parsed.get("error"), dict):
        code = parsed["error"].get("code")
        message = parsed["error"].get("message")
    if not isinstance(message, str) or not message:
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
        message = text.strip()[:500] or f"HTTP {status}"
    cls = error_class(code, status)
    if not isinstance(code, str) or not code:
        code = _code_for(cls)
    return cls(code, message, status)


def _code_for(cls):
    for code, known in _BY_CODE.items():
        if known is cls:
            return code
    return "unknown"
