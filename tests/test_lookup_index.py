"""The F4 list's rows in memory (services/lookup_index.py): a value holding
a line break or the values' separator keeps every row its own, and the rows
found are the right ones, their shown values made text.  (That the index
finds what each engine's search finds: test_storage.)"""

from __future__ import annotations

from fincon_tui.services.lookup_index import LookupIndex

LISTED = [
    ("A1", 587, "first\nline", "x"),
    ("B2", None, "sep\x01arated", "Straße"),
    ("C3", 25, "plain", "third"),
]


def keys(index: LookupIndex, text: str, skip: int = 0, count: int = 10) -> list[str]:
    return [key for key, _ in index.find(text, skip, count)]


def test_line_breaks_and_separators_in_values_keep_each_row_its_own() -> None:
    index = LookupIndex(LISTED, shown=2)
    assert keys(index, "line") == ["A1"] and keys(index, "arated") == ["B2"] and keys(index, "third") == ["C3"]
    assert keys(index, "STRASSE") == ["B2"] and keys(index, "pla") == ["C3"]
    assert keys(index, "line\nsep") == [] and keys(index, "sep\x01ar") == []  # never across values or rows
    assert keys(index, "") == ["A1", "B2", "C3"] and keys(index, "", 1, 1) == ["B2"]
    assert keys(index, "t", 1) == ["B2", "C3"]  # "t" in every row: the first skipped


def test_a_row_shows_its_values_as_text_and_its_key_where_it_is() -> None:
    assert LookupIndex(LISTED, shown=2).find("sep", 0, 1) == [("B2", ("B2", ""))]
    providers = LookupIndex([("Name", "host.example", "587", "Y", "Name", "host.example")], shown=4, key=1)
    assert providers.find("HOST", 0, 5) == [("host.example", ("Name", "host.example", "587", "Y"))]
