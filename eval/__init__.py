"""Retrieval evaluation for QA: labelled queries, standard metrics, run comparison, benchmarks.

It calls the same search code as the portal (``kb.search.search``) over an index built by the
real indexer; nothing here re-implements retrieval.
"""
