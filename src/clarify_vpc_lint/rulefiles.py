"""Where the rule files are, and what names a rule: read without building the catalogue.

The catalogue (``catalogue.py``) checks every rule's query against the facts the resolvers
register, which imports the whole pipeline; a host that only lists or registers the rules
(checkov loads its external checks in each of its runner processes) reads their headers here.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Optional, Tuple

import yaml
from msgspec import Struct

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RuleHeader(Struct, frozen=True):
    """What names a rule, in every tool that reports it."""

    id: str
    name: str
    severity: str
    subject: str

    @property
    def digits(self) -> str:
        return self.id[3:]

    @property
    def cfn_lint_id(self) -> str:
        """E9201 for CVL201: the letter is the default severity."""
        return f"{self.severity[0].upper()}9{self.digits}"

    @property
    def checkov_id(self) -> str:
        return f"CKV_CVL_{self.digits}"

    @property
    def doc_url(self) -> str:
        """Its page in the documentation the package ships (see ``docs_url``)."""
        return rule_url(self.id)


def docs_url(configured: Optional[str] = None) -> str:
    """Where the rules' pages are: the config's ``docs-url`` (a team's own copy, a docs site),
    else the pages the package ships (``docs/rules``, generated from this catalogue), as a
    ``file:`` URL that works offline wherever the package is installed."""
    if configured:
        return configured.rstrip("/")
    packaged = Path(__file__).parent / "rule_docs"  # the wheel's copy of docs/rules
    folder = packaged if packaged.is_dir() else Path(__file__).parents[2] / "docs" / "rules"
    # file://localhost/...: the same file, and a URL hosts that want a host part keep (checkov
    # drops a link without one from its SARIF)
    return "file://localhost" + folder.resolve().as_uri()[len("file://") :]


def rule_url(rule_id: str, configured: Optional[str] = None) -> str:
    """A rule's page; the index of every rule is ``README.md`` beside it."""
    return f"{docs_url(configured)}/{rule_id}.md"


def rules_dir() -> Path:
    """Inside the wheel the catalogue sits in the package; in a checkout, at the top level."""
    packaged = Path(__file__).parent / "rules"
    return packaged if packaged.is_dir() else Path(__file__).parents[2] / "rules"


def rule_files() -> Tuple[Path, ...]:
    found = tuple(sorted(rules_dir().glob("CVL*.yaml")))
    if not found:  # an incomplete install must not lint with no rules and pass everything
        raise FileNotFoundError(f"no rule files in {rules_dir()}: the installation is incomplete")
    return found


# the header's keys, each on a line of its own (checkov's ~20 runner processes each read them:
# parsing whole rule files there cost 25 ms a process)
_HEADER_LINES = re.compile(r"^(?:id|name|severity|subject):.*$", re.MULTILINE)


@cache
def rule_headers() -> Tuple[RuleHeader, ...]:
    """Each rule's header as its file says it (the catalogue checks the files themselves)."""
    headers = []
    for path in rule_files():
        with open(path, encoding="utf-8") as handle:
            data = yaml.load("\n".join(_HEADER_LINES.findall(handle.read())), Loader=_Loader)
        headers.append(RuleHeader(data["id"], data["name"], data["severity"], data["subject"]))
    return tuple(headers)


def plugin_rule_headers() -> Tuple[RuleHeader, ...]:
    """The rules cfn-lint and checkov run: not CVL002, since they honour their own suppressions."""
    return tuple(header for header in rule_headers() if header.subject != "suppressions")
