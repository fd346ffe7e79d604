"""CloudFormation templates: the template reader (``template``), intrinsic functions
(``intrinsics``), conditions (``conditions``) and parameter files (``parameters``)."""
