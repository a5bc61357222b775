"""A record form's detail rows and its help rows, as the record's fields are
declared (domain/declaration.py): the field each rule takes, its width,
label, hint and help text are the declaration's, written nowhere else."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from textual.widget import Widget

from fincon_tui.domain.declaration import Declaration, Field
from fincon_tui.domain.value_rules import Choice, WholeNumber, YesNo
from fincon_tui.ui.widgets.form import field_row
from fincon_tui.ui.widgets.inputs import ChoiceInput, FieldInput, NumberInput, PasswordInput, YesNoInput


def detail_rows(
    declared: Declaration[Any], prompt: str, after: Mapping[str, Widget | tuple[Widget, ...]] | None = None
) -> Iterator[Widget]:
    """The rows below the key field, in screen order; `prompt` is the
    prompt key's short label for a hint that names it, and `after` puts
    widgets below a field's row."""
    after = after or {}
    for field in declared.fields[1:]:
        yield field_row(field.label, _entry(field), hint=field.hint.replace("{prompt}", prompt))
        below = after.get(field.name, ())
        yield from below if isinstance(below, tuple) else (below,)


def _entry(field: Field) -> FieldInput:
    """The entry field a declared field's rule takes (a secret: a password field)."""
    rule = field.rule
    options: dict[str, Any] = {"id": field.name, "detail": True}
    if field.wide:
        options["classes"] = "wide"
    if rule is None:
        return PasswordInput(max_length=field.size, **options)
    if isinstance(rule, YesNo):
        return YesNoInput(**options)
    if isinstance(rule, WholeNumber):
        return NumberInput(low=rule.low, high=rule.high, **options)
    if isinstance(rule, Choice):
        return ChoiceInput(choices="".join(rule.choices), hint=field.typing_hint, **options)
    return FieldInput(max_length=field.size, **options)


def help_rows(declared: Declaration[Any]) -> tuple[tuple[str, str], ...]:
    """The fields' rows of the form's help (F1): a stored secret's mask as shown."""
    return tuple((term, text.replace("{shown_mask}", PasswordInput.SHOWN_MASK)) for term, text in declared.help())
