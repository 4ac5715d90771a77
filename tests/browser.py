"""The browser helpers live in ``eval.browser`` (the benchmarks use them too); re-exported here for
the tests that import them from ``tests.browser``."""
from eval.browser import (AXE, CHROMIUM_ARGS, OUTPUT, browser, chromium_path, free_port,  # noqa: F401
                          running_portal, wait_for_app)
