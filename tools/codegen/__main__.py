"""``python -m tools.codegen [--check]`` from the repository root."""

import sys

from tools.codegen.generate import main

sys.exit(main(sys.argv[1:]))
