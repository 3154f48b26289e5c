"""A time budget for every render of text a person just typed or imported (issue 11).

:mod:`.render_limits` keeps Python-Markdown's cost near-linear for every input we know of; the
budget is the guarantee for the ones we do not. A render that runs over it fails that one
request with :class:`~.rendering.RenderError` (``reason="timeout"``) — the editor shows a
message and keeps the text — and the worker carries on.

Stopping pure-Python code on time needs one of two things, so there are two paths:

* **In a process's main thread** (gunicorn's sync workers, ``flask kb import``, the import's
  helper processes, tests) a ``SIGALRM`` timer interrupts the render. That is safe *because*
  every render has a fresh Markdown instance: there is no shared state for the interrupt to
  leave half-changed.
* **In any other thread** (gunicorn's gthread workers, the development server) signals cannot
  be used, so the render runs in a helper process (:class:`RenderHelpers`, kept on
  ``app.extensions``): the text goes over a pipe, and a helper that misses the deadline is
  killed and replaced. Helpers are started from a fork server (never forked from a threaded
  worker), exit when their pipe closes (so they die with their worker), and are started only
  when a render first needs one.

The budget grows with the text: ``KB_RENDER_BUDGET_SECONDS`` per started megabyte, so the
largest article allowed (``KB_ARTICLE_MAX_BYTES``) still renders on a busy machine, while a
20 KB text that would take minutes is stopped in seconds.
"""
import logging
import math
import multiprocessing
import queue
import signal
import threading

from flask import current_app
from flask_babel import gettext as _

from ..request_limits import format_size
from .rendering import Rendered, RenderError, render_markdown

log = logging.getLogger(__name__)
MB = 1024 * 1024


def explain(exc: RenderError) -> str:
    """What the editor (or the import report) says about a text that did not render."""
    if exc.reason == "timeout":
        return _("This text takes too long to turn into a page (over %(seconds)s). Nothing "
                 "was lost: split it into several articles, or simplify deeply nested lists, "
                 "quotes or brackets.", seconds=exc.detail)
    if exc.reason == "too_large":
        return _("This text is larger than the limit of %(size)s. Nothing was lost: split it "
                 "into several articles.", size=exc.detail)
    return _("This text cannot be turned into a page (%(detail)s). Nothing was lost: simplify "
             "deeply nested lists, quotes or brackets.", detail=exc.detail)


def size_limit_error(text: str, limit: int) -> RenderError | None:
    """A ``too_large`` error when ``text`` is over ``limit`` bytes (UTF-8), else None."""
    if len(text) * 4 <= limit or len(text.encode("utf-8", "surrogatepass")) <= limit:
        return None
    return RenderError("too_large", format_size(limit))


def budget_seconds(text: str, per_mb: float) -> float:
    """The time allowed for rendering ``text``."""
    return per_mb * max(1, math.ceil(len(text.encode("utf-8", "surrogatepass")) / MB))


def render_or_error(text: str, per_mb: float) -> Rendered | RenderError:
    """Render within the budget on the main thread; a failure is *returned* (for bulk maps,
    where one raised exception would end the whole map)."""
    try:
        return render_with_alarm(text, budget_seconds(text, per_mb))
    except RenderError as exc:
        return exc


def alarm_usable() -> bool:
    """A ``SIGALRM`` timer can interrupt this thread: the main thread, and no timer running."""
    return (hasattr(signal, "setitimer") and
            threading.current_thread() is threading.main_thread() and
            signal.getitimer(signal.ITIMER_REAL)[0] == 0)


def render_with_alarm(text: str, seconds: float) -> Rendered:
    """Render ``text``, interrupted by ``SIGALRM`` after ``seconds`` (main thread only)."""
    if not alarm_usable():
        return render_markdown(text)  # a caller's own timer runs; it bounds this render too

    def interrupt(_signum, _frame):
        raise RenderError("timeout", f"{seconds:g} s")

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            return render_markdown(text)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        signal.signal(signal.SIGALRM, previous)


def render_budgeted(text: str) -> Rendered:
    """Render ``text`` for the current request or command within its budget.

    :raise RenderError: when the text cannot be rendered in time (or at all).
    """
    config = current_app.config
    seconds = budget_seconds(text, config["KB_RENDER_BUDGET_SECONDS"])
    if alarm_usable():
        return render_with_alarm(text, seconds)
    helpers = current_app.extensions.get("kb_render_helpers")
    if helpers is None:
        helpers = current_app.extensions.setdefault(
            "kb_render_helpers", RenderHelpers(config["KB_RENDER_HELPERS"]))
    return helpers.render(text, seconds)


def _serve(conn) -> None:
    """A helper process: render each text received until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the server, which ends us
    while True:
        try:
            text = conn.recv()
        except (EOFError, OSError):
            return
        try:
            result = render_markdown(text)
        except RenderError as exc:
            result = exc
        conn.send(result)


class _Helper:
    def __init__(self, ctx):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child,), daemon=True,
                                   name="kb-render-helper")
        self.process.start()
        child.close()

    def stop(self) -> None:
        self.conn.close()
        self.process.kill()
        self.process.join(5)


class RenderHelpers:
    """Up to ``size`` helper processes that render with a deadline (see the module doc)."""

    def __init__(self, size: int):
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload(["kb_portal.kb.rendering"])
        self._slots = threading.BoundedSemaphore(max(1, size))
        self._idle: queue.SimpleQueue[_Helper] = queue.SimpleQueue()

    def render(self, text: str, seconds: float) -> Rendered:
        with self._slots:
            helper = self._take()
            try:
                helper.conn.send(text)
                if not helper.conn.poll(seconds):
                    log.warning("render over its %.1f s budget (%d characters): helper "
                                "stopped", seconds, len(text))
                    helper.stop()
                    raise RenderError("timeout", f"{seconds:g} s")
                result = helper.conn.recv()
            except (EOFError, OSError) as exc:
                helper.stop()
                raise RenderError("failed", f"render helper: {exc!r}") from None
            self._idle.put(helper)
        if isinstance(result, RenderError):
            raise result
        return result

    def _take(self) -> _Helper:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            return _Helper(self._ctx)

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().stop()
            except queue.Empty:
                return
