"""checkov external checks directory (see clarify_vpc_lint.checkov)."""
