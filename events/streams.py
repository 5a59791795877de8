"""Stream names: the category of a stream (what kind of thing it is) and the id of the thing.

A stream is stored under the string "category-id". The category holds no "-", so the first
"-" separates the two and the id may hold any (a UUID does). Readers that follow one kind of
thing read its category: every stream whose name starts with "category-".
"""

from __future__ import annotations

from dataclasses import dataclass

SEPARATOR = "-"


@dataclass(frozen=True, slots=True)
class StreamName:
    category: str
    id: str

    def __post_init__(self) -> None:
        check_category(self.category)
        if not self.id:
            raise ValueError(f"stream of category {self.category!r}: the id is empty")

    def __str__(self) -> str:
        return f"{self.category}{SEPARATOR}{self.id}"

    @classmethod
    def parse(cls, stream_id: str) -> StreamName:
        """The name of a stream stored as "category-id"; ValueError when it is not one."""
        category, separator, id_ = stream_id.partition(SEPARATOR)
        if not separator:
            raise ValueError(f"stream {stream_id!r} names no category")
        return cls(category, id_)


def check_category(category: str) -> str:
    if not category or SEPARATOR in category:
        raise ValueError(f"a stream category is not empty and holds no {SEPARATOR!r}: {category!r}")
    return category
