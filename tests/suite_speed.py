"""What keeps one test process fast over hundreds of app runs.  Neither
changes what a test runs or checks: the app, its CSS and its collector
settings are the real ones.

- **One parse of each stylesheet per process.**  Textual parses every CSS
  source of an app (styles/*.tcss and each widget's DEFAULT_CSS) into rule
  sets, cached per stylesheet, so each app a test starts tokenized all of it
  again: about 0.1 s of CPU per app.  Rule sets depend only on the source
  text, where it came from and the stylesheet variables (theme, colours),
  and Textual itself hands the same parsed rule sets out again within one
  app, so they are never changed after parsing.  Here they are kept for the
  process, keyed on all of that.
- **Fewer full garbage collections.**  Each app run leaves about 50,000
  objects in reference cycles, and the test process holds about 200,000
  live ones (pytest, hypothesis, every library).  CPython's automatic full
  collections walked all of them dozens of times a file (test_smtp_form:
  37 of them, 8.4 s of its 33 s); the app puts them off while it runs
  (fincon_tui/ui/idle_gc.py), but not between runs.  A third threshold of
  100 instead of 10 makes them ten times rarer; a worker peaks at about
  700 MB.  What is left is never collected: when the session finishes it
  is frozen, out of the collector's reach, and the worker's exit frees it.
  Collecting it took about 3 s of CPU per worker at the very end of the
  run, and done at pytest's own clean-up it could outlast the time
  pytest-xdist gives a worker to stop (a KeyboardInterrupt warning in a gc
  callback).

Measured on test_smtp_form, test_user_form and test_messages, one process:
54.5 s of CPU before, 40 s after.  test_textual_internals fails if Textual
renames what the first relies on.
"""

from __future__ import annotations

import gc

import pytest
from textual.css.model import RuleSet
from textual.css.stylesheet import CSSLocation, Stylesheet

#: Generation-1 collections between full ones (CPython's default is 10).
FULL_COLLECTION_THRESHOLD = 100

_parsed: dict[tuple, list[RuleSet]] = {}
_parse_rules = Stylesheet._parse_rules  # noqa: SLF001


def _shared_parse_rules(
    self: Stylesheet, css: str, read_from: CSSLocation, is_default_rules: bool = False,
    tie_breaker: int = 0, scope: str = "",
) -> list[RuleSet]:
    variables = tuple(sorted(self._variables.items()))
    key = (css, read_from, is_default_rules, tie_breaker, scope, variables)
    rules = _parsed.get(key)
    if rules is None:
        rules = _parsed[key] = _parse_rules(self, css, read_from, is_default_rules, tie_breaker, scope)
    return rules


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish() -> None:
    gc.freeze()


def pytest_configure() -> None:
    Stylesheet._parse_rules = _shared_parse_rules  # type: ignore[method-assign]  # noqa: SLF001
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_THRESHOLD)
