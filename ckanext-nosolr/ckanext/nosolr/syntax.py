"""Parse the small subset of Solr query syntax that CKAN itself sends.

A query string (``q`` or one ``fq``) is read as a conjunction of clauses; each
clause is a disjunction of terms, and each term is either free text or
``field:value``.  What is understood:

* free words and quoted phrases: ``人口 "birth rate"``
* ``field:value``, ``field:"quoted value"``, ``field: "value"`` (CKAN's feeds
  put a space after the colon) and ``field:(a OR "b c")``
* a ``+`` before a clause (required, which every clause is anyway) and the
  ``AND`` keyword between clauses
* ``OR`` between clauses: ``id:"a" OR id:"b"`` (CKAN's bulk update sends this)
* ``*:*``, which matches everything
* backslash escapes in bare values (``escape_legacy_argument`` produces them)

Anything else (negation, wildcards, ranges, fuzzy or boosted terms, grouping
of clauses, local params) raises ``SearchQueryError`` rather than being read
in some other way than Solr would read it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ckan.lib.search.common import SearchQueryError

MATCH_ALL = "*"
"""The field of the term ``*:*``."""

_BARE = re.compile(r'(?:\\.|[^\s"()\[\]{}^~*?:!&|\\/+-])(?:\\.|[^\s"()\[\]{}^~*?:!&|\\/])*')
_QUOTED = re.compile(r'"((?:\\.|[^"\\])*)"')
_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*(?=:)")
_ESCAPE = re.compile(r"\\(.)")


@dataclass(frozen=True)
class Term:
    """One term: ``field`` is None for free text, ``values`` are alternatives."""

    field: str | None
    values: tuple[str, ...]


Clause = tuple[Term, ...]
"""Terms of which at least one must match."""


def parse(text: str) -> list[Clause]:
    """Return the clauses of ``text``, all of which must match."""
    return _Parser(text).query()


class _Parser:
    """A hand-written scanner over one query string."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, why: str) -> SearchQueryError:
        return SearchQueryError(
            f"nosolr does not support this query ({why} at character "
            f"{self.pos}): {self.text!r}")

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def at_end(self) -> bool:
        self.skip_space()
        return self.pos >= len(self.text)

    def take(self, literal: str) -> bool:
        if self.text.startswith(literal, self.pos):
            self.pos += len(literal)
            return True
        return False

    def keyword(self, word: str) -> bool:
        """Consume ``word`` if it stands alone (followed by space or end)."""
        end = self.pos + len(word)
        if self.text.startswith(word, self.pos) and (
                end == len(self.text) or self.text[end].isspace()):
            self.pos = end
            return True
        return False

    def query(self) -> list[Clause]:
        clauses: list[Clause] = []
        required: list[bool] = []
        joining = False
        while not self.at_end():
            if self.keyword("OR"):
                if not clauses or joining or required[-1]:
                    raise self.fail("OR must join two plain clauses")
                joining = True
                continue
            if self.keyword("AND"):
                if not clauses or joining:
                    raise self.fail("AND must join two clauses")
                continue
            if self.keyword("NOT") or self.text.startswith("-", self.pos):
                raise self.fail("negation")
            plus = self.take("+")
            term = self.term()
            if joining:
                if plus:
                    raise self.fail("+ inside an OR")
                clauses[-1] += (term,)
                joining = False
            else:
                clauses.append((term,))
                required.append(plus)
        if joining:
            raise self.fail("OR at the end")
        return clauses

    def term(self) -> Term:
        if self.take("*:*"):
            return Term(MATCH_ALL, ())
        field = _FIELD.match(self.text, self.pos)
        if field is None:
            return Term(None, (self.value(),))
        self.pos = field.end() + 1
        self.skip_space()
        if self.take("("):
            return Term(field.group(), self.alternatives())
        return Term(field.group(), (self.value(),))

    def alternatives(self) -> tuple[str, ...]:
        self.skip_space()
        values = [self.value()]
        while True:
            self.skip_space()
            if self.take(")"):
                return tuple(values)
            if not self.keyword("OR"):
                raise self.fail("expected OR or ) between values")
            self.skip_space()
            values.append(self.value())

    def value(self) -> str:
        for pattern in (_QUOTED, _BARE):
            found = pattern.match(self.text, self.pos)
            if found:
                self.pos = found.end()
                return _ESCAPE.sub(r"\1", found.group(found.lastindex or 0))
        raise self.fail("unexpected character")
