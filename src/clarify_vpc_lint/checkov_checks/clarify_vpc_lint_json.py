"""clarify-vpc-lint rules for checkov's json framework: API JSON, pipelines, state machines."""

from clarify_vpc_lint.checkov import loading_into, make_checks

if loading_into("checkov.json_doc.registry", "registry"):
    from checkov.json_doc.base_json_check import BaseJsonCheck

    from clarify_vpc_lint.rulefiles import plugin_rule_headers

    # the whole file, whatever the rule's subject (the subjects come from the rules' headers:
    # the facts registry is not imported in checkov's runner processes)
    whole_file = {rule.subject: ["*"] for rule in plugin_rule_headers()}
    make_checks(BaseJsonCheck, whole_file, globals(), per_file=True)
