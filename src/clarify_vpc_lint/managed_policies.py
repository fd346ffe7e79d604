"""AWS managed policies known offline: a table the package ships, each policy with the version
it was taken from. Any other policy outside the inputs is unknown.

The table is ``data/aws_managed_policies.json``. To refresh it, save each policy's default version
(the commands are printed by ``python -m clarify_vpc_lint.managed_policies --commands``) into one
folder and run ``python -m clarify_vpc_lint.managed_policies FOLDER``.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path
from typing import Any, Dict, List, Optional

TABLE = Path(__file__).parent / "data" / "aws_managed_policies.json"
PREFIX = "arn:aws:iam::aws:policy/"
# the policies SageMaker's guides attach to execution roles, and the broad ones examples use
NAMES = (
    "AmazonSageMakerFullAccess",
    "AmazonS3FullAccess",
    "AmazonS3ReadOnlyAccess",
    "AdministratorAccess",
)


@cache
def _table() -> Dict[str, Any]:
    return json.loads(TABLE.read_text(encoding="utf-8"))


def known(arn: str) -> Optional[Dict[str, Any]]:
    """``{"version", "document"}`` of an AWS managed policy in the table, else None."""
    name = arn.split(":policy/", 1)[-1].rsplit("/", 1)[-1] if ":policy/" in arn else None
    if not arn.startswith("arn:") or ":iam::aws:policy/" not in arn or name is None:
        return None
    return _table().get(name)


def commands() -> List[str]:
    """The AWS CLI commands that save each policy's default version for a refresh."""
    lines = []
    for name in NAMES:
        arn = PREFIX + name
        version = f"$(aws iam get-policy --policy-arn {arn} --query Policy.DefaultVersionId --output text)"
        lines.append(
            f"aws iam get-policy-version --policy-arn {arn} --version-id {version} "
            f"--output json > {name}.json"
        )
    return lines


def refresh(folder: Path) -> Dict[str, Any]:
    """The table from a folder of ``aws iam get-policy-version`` outputs named ``NAME.json``."""
    table: Dict[str, Any] = {}
    for name in NAMES:
        saved = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))["PolicyVersion"]
        table[name] = {
            "arn": PREFIX + name,
            "version": saved["VersionId"],
            "created": saved.get("CreateDate"),
            "document": saved["Document"],
        }
    return table


def main(argv: List[str]) -> int:
    if argv == ["--commands"]:
        print("\n".join(commands()))
        return 0
    if len(argv) != 1:
        print("usage: python -m clarify_vpc_lint.managed_policies (--commands | FOLDER)")
        return 2
    table = refresh(Path(argv[0]))
    TABLE.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(", ".join(f"{name} {entry['version']}" for name, entry in table.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
