"""Python client of Lakehouse's HTTP JSON API (docs/python.md).

    import lakehouse
    lh = lakehouse.connect("http://127.0.0.1:8080")
    lh.sql("SELECT state, count(*) AS n FROM candidates GROUP BY ALL").df()

Standard library only; pandas is needed just for ``df()`` and for ingesting
a DataFrame.
"""

from ._version import VERSION
from .client import DEFAULT_URL, Client, TruncatedResultWarning, connect
from .errors import (
    AlreadyExists,
    Conflict,
    ConnectionError,
    Forbidden,
    InsufficientStorage,
    InvalidArgument,
    InvalidKey,
    LakehouseError,
    MethodNotAllowed,
    NotFound,
    ResourceExhausted,
    ServerError,
    Timeout,
    TooLarge,
    Unauthenticated,
    Unavailable,
    Unprocessable,
)
from .results import Embeddings, Result, SearchResult

__version__ = VERSION

__all__ = [
    "DEFAULT_URL",
    "Client",
    "connect",
    "TruncatedResultWarning",
    "Result",
    "SearchResult",
    "Embeddings",
    "LakehouseError",
    "InvalidArgument",
    "InvalidKey",
    "Unauthenticated",
    "Forbidden",
    "NotFound",
    "MethodNotAllowed",
    "Conflict",
    "AlreadyExists",
    "TooLarge",
    "Unprocessable",
    "ResourceExhausted",
    "Timeout",
    "Unavailable",
    "InsufficientStorage",
    "ServerError",
    "ConnectionError",
]
