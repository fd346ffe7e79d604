"""clarify-vpc-lint rules for checkov's json framework: API JSON, pipelines, state machines."""

from checkov.json_doc.base_json_check import BaseJsonCheck

from clarify_vpc_lint.checkov import make_checks
from clarify_vpc_lint.facts import KINDS

make_checks(BaseJsonCheck, dict.fromkeys(KINDS, ["*"]), globals(), per_file=True)  # the whole file
