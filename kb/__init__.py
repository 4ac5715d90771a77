"""The knowledge-base core: articles, parsing, chunking, language, search logic.

Pure code: it reads content files and models, but never imports Streamlit or Chroma.
"""
import os

# OpenBLAS worker threads spin for a while after every call (numpy, the USE model) and take both
# cores from the e5 model's OpenMP threads: USE then e5 took 80 ms instead of 22 ms here. This
# must be set before numpy loads; processes that import numpy first get it from the Makefile.
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
