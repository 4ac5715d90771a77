"""The knowledge-base core: articles, parsing, chunking, language, search logic.

Pure code: it reads content files and models, but never imports Streamlit or Chroma.
"""
