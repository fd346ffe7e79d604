"""pre-commit hook (placeholder until implemented)."""

from typing import List, Optional


def main(argv: Optional[List[str]] = None) -> int:
    raise NotImplementedError
