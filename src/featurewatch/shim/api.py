"""Public logging API: ``monitor`` (decorator), ``request`` (context manager), ``log_request``."""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Callable
from typing import Any, TypeVar

from . import _state

__all__ = ["monitor", "request", "log_request", "Request"]

F = TypeVar("F", bound=Callable[..., Any])


def log_request(*, model: str, version: str | None = None, features: Any, prediction: Any = None,
                timestamp: Any = None, request_id: str | None = None,
                latency_ms: float | None = None) -> None:
    """Log one request without wrapping a call.

    ``features`` may be a dict, a pandas Series, a DataFrame (one record per
    row) or a list of dicts. ``timestamp`` (datetime, ISO string or epoch
    seconds) writes a historical record, for backfills and replays. ``model``,
    ``version`` and ``request_id`` are written as strings (``model=None`` as
    ``"unknown"``, ``version=None`` as null). Never raises.
    """
    (_state.configured() or _state.current()).log(model, version, features, prediction=prediction,
                                                 timestamp=timestamp, request_id=request_id, latency_ms=latency_ms)


def monitor(*, model: str, version: str | None = None) -> Callable[[F], F]:
    """Decorate a predict function whose first argument holds the features.

    The return value is logged as the prediction and returned unchanged; an
    exception is logged as an error record and re-raised unchanged. Works on
    sync and async functions; name, docstring and signature are kept.
    """

    def decorate(func: F) -> F:
        if inspect.iscoroutinefunction(func):
            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                features = _first_argument(args, kwargs)
                started = time.perf_counter()
                try:
                    result = await func(*args, **kwargs)
                except BaseException as exc:
                    _log_failure(model, version, features, started, exc)
                    raise
                _log_success(model, version, features, result, started)
                return result

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            features = _first_argument(args, kwargs)
            started = time.perf_counter()
            try:
                result = func(*args, **kwargs)
            except BaseException as exc:
                _log_failure(model, version, features, started, exc)
                raise
            _log_success(model, version, features, result, started)
            return result

        return wrapper  # type: ignore[return-value]

    return decorate


def _first_argument(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if args:
        return args[0]
    if kwargs:
        return next(iter(kwargs.values()))
    return None


def _log_success(model: str, version: str | None, features: Any, result: Any, started: float) -> None:
    latency = (time.perf_counter() - started) * 1000.0
    (_state.configured() or _state.current()).log(model, version, features, prediction=result, latency_ms=latency)


def _log_failure(model: str, version: str | None, features: Any, started: float, exc: BaseException) -> None:
    if not isinstance(exc, Exception):  # KeyboardInterrupt, SystemExit: not a model failure
        return
    latency = (time.perf_counter() - started) * 1000.0
    _state.current().log(model, version, features, latency_ms=latency, error=exc)


class Request:
    """What ``with fw.request(...) as r`` hands out: collect features and prediction."""

    def __init__(self, model: str, version: str | None, request_id: str | None, timestamp: Any) -> None:
        self.model = model
        self.version = version
        self.request_id = request_id
        self.timestamp = timestamp
        self._features: Any = None
        self._prediction: Any = None
        self._started = 0.0

    def features(self, features: Any) -> None:
        """Set the request's features (dict, Series, DataFrame or list of dicts)."""
        self._features = features

    def prediction(self, prediction: Any) -> None:
        """Set the model's answer."""
        self._prediction = prediction

    def __enter__(self) -> Request:
        self._started = time.perf_counter()
        return self

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        latency = (time.perf_counter() - self._started) * 1000.0
        error = exc if isinstance(exc, Exception) else None
        if exc is not None and error is None:
            return
        _state.current().log(self.model, self.version, self._features, prediction=self._prediction,
                             timestamp=self.timestamp, request_id=self.request_id,
                             latency_ms=latency, error=error)


def request(*, model: str, version: str | None = None, request_id: str | None = None,
            timestamp: Any = None) -> Request:
    """Context manager that logs one request when the block ends (an error record if it raised)."""
    return Request(model, version, request_id, timestamp)
