"""The core (kb/) is pure: importing every module of it loads neither Streamlit nor Chroma, so the
evaluation, the indexer and other front ends can use it without a web framework or a store."""
from __future__ import annotations

import json
import subprocess
import sys

from kb.settings import PROJECT_ROOT

PROBE = """
import importlib, json, pkgutil, sys
import kb
for module in pkgutil.iter_modules(kb.__path__):
    importlib.import_module(f"kb.{module.name}")
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_importing_the_whole_core_loads_neither_streamlit_nor_chroma():
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert "kb" in loaded
    assert not loaded & {"streamlit", "chromadb"}, loaded & {"streamlit", "chromadb"}
