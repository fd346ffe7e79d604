"""Where the installed botocore keeps its data, found without importing botocore (an import costs
more than linting a file, and a Session would read ~/.aws). ``--version`` asks for its version
here without loading the service model reader (``apishape``)."""

from __future__ import annotations

import importlib.util
import os
import re


def package_folder() -> str:
    """botocore's package folder; RuntimeError when botocore is not installed."""
    spec = importlib.util.find_spec("botocore")
    if spec is None or spec.origin is None:
        raise RuntimeError("botocore is not installed")
    return os.path.dirname(spec.origin)


def version() -> str:
    """The version of the botocore whose service model CVL001 reads, or why there is none."""
    try:
        with open(os.path.join(package_folder(), "__init__.py"), encoding="utf-8") as handle:
            text = handle.read()
    except (RuntimeError, OSError):
        return "not installed: CVL001 is not checked"
    found = re.search(r"^__version__\s*=\s*['\"]([^'\"]+)['\"]", text, re.MULTILINE)
    return found.group(1) if found else "of unknown version"
