"""Writes and opens the search index: passages embedded into ChromaDB plus a BM25 keyword index.

Every build is a new, self-contained version; a pointer file names the live one and is switched
atomically at the very end, so a failed or killed build never disturbs the index being served.
"""
