"""``python -m kb tune-model``: fine-tune a sentence-transformers model on the bank's own pairs.

Optional, offline, and slow on CPU (measured figures: eval/RESULTS.md): never part of building or
searching. The result is an ordinary sentence-transformers folder for ``KB_ST_MODEL`` (the ``st``
embedder); a changed model means a full rebuild of the index, like any other.

Pairs (a question, the passage that answers it, as the index embeds that passage):
- each similar question of a unit (editors' and learned ones) -> its unit;
- each question heading in one language -> the same unit in the topic's other languages
  (aligned translations: the anchor is language-neutral);
- each labelled tuning query (``eval/queries/tune.jsonl``, never the held-out set) that names a
  unit -> that unit, in the query's language where the topic has it.

Loss: MultipleNegativesRankingLoss (the other answers in a batch are the negatives), so no batch
holds one answer twice. Learning from labelled questions pulls queries toward the answers seen
(../shared/MODELS.md): measure on answers it never saw before adopting a tuned model.
"""
from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from kb.errors import KbError
from kb.settings import PROJECT_ROOT, Settings

TUNE_QUERIES = PROJECT_ROOT / "eval" / "queries" / "tune.jsonl"


class TuneModelError(KbError):
    """A fine-tuning run that cannot start (no pairs, a bad base model, an output folder in use)."""


@dataclass(frozen=True)
class Pair:
    question: str
    passage: str  # as the index embeds it (kb.chunking.index_text)
    source: str  # similar | translation | query


def content_pairs(settings: Settings, queries: Path | None = TUNE_QUERIES) -> list[Pair]:
    """Every training pair the content (and the labelled tuning queries) give, in a stable order."""
    from kb.chunking import SIMILAR, chunk, index_text
    from kb.content import load_content
    from eval.data import read_queries, split_label
    content = load_content(settings.content_dir, settings.max_article_kb * 1024)
    units: dict[tuple[str, str], str] = {}  # (article id, anchor) -> first passage's index text
    for article in content.articles.values():
        for passage in chunk(article, settings.chunk_chars):
            if passage.kind != SIMILAR:
                units.setdefault((article.id, passage.anchor), index_text(passage))
    groups: dict[str, dict[str, str]] = {}  # translation group -> lang -> article id
    for article in content.articles.values():
        groups.setdefault(article.translation_group, {})[article.lang] = article.id
    pairs: list[Pair] = []
    for article in content.articles.values():
        for unit in article.units:
            target = units.get((article.id, unit.anchor))
            if target is None:
                continue
            pairs += [Pair(q, target, "similar") for q in unit.similar]
            if unit.kind != "question":
                continue
            for lang, other in groups[article.translation_group].items():
                if lang != article.lang and (other, unit.anchor) in units:
                    pairs.append(Pair(unit.heading, units[(other, unit.anchor)], "translation"))
    if queries is not None:
        for query in read_queries(queries, set(content.articles), skip_unknown=True, warnings=[]):
            for label in query.relevant:
                article_id, anchor = split_label(label)
                if anchor is None:
                    continue  # "any passage of it": no one passage to pull the query toward
                article = content.articles[article_id]
                own = groups[article.translation_group].get(query.lang, article_id)
                target = units.get((own, anchor)) or units.get((article_id, anchor))
                if target:
                    pairs.append(Pair(query.text, target, "query"))
    return pairs


def batches(pairs: Sequence[Pair], size: int, seed: int = 0) -> list[list[Pair]]:
    """Shuffled batches in which no answer appears twice (with in-batch negatives, a second copy
    of the right answer would be scored as a wrong one)."""
    rng = random.Random(seed)
    waiting = list(pairs)
    rng.shuffle(waiting)
    out: list[list[Pair]] = []
    while waiting:
        batch, seen, later = [], set(), []
        for pair in waiting:
            if len(batch) < size and pair.passage not in seen:
                batch.append(pair)
                seen.add(pair.passage)
            else:
                later.append(pair)
        if len(batch) > 1:  # a batch of one has no negatives to learn from
            out.append(batch)
        waiting = later if len(batch) > 1 else []
    return out


def tune(settings: Settings, out: Path, base: str = "", epochs: int = 1, max_pairs: int = 0,
         batch_size: int = 16, learning_rate: float = 2e-5, queries: Path | None = TUNE_QUERIES,
         pairs: Iterable[Pair] | None = None, progress: bool = True, seed: int = 0) -> dict:
    """Fine-tune ``base`` (a sentence-transformers folder; default the packaged MiniLM) on the
    content's pairs (or ``pairs``) and save it to ``out``. Returns what was done, with timings."""
    import os
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise TuneModelError(f"{out} is not empty: name a new folder (a model an index was built with "
                             "must stay as it is)")
    base_path = Path(base) if base else _packaged_minilm()
    if not (base_path / "modules.json").exists() and not (base_path / "config.json").exists():
        raise TuneModelError(f"--base {base_path}: not a sentence-transformers model folder")
    chosen = list(pairs) if pairs is not None else content_pairs(settings, queries)
    if max_pairs and len(chosen) > max_pairs:
        chosen = random.Random(seed).sample(chosen, max_pairs)
    if not chosen:
        raise TuneModelError("no training pairs: the content has no similar questions or translations")
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
    from tqdm import tqdm
    torch.manual_seed(seed)
    torch.set_num_threads(settings.threads)
    started = time.perf_counter()
    model = SentenceTransformer(str(base_path), device="cpu", local_files_only=True)
    loss = MultipleNegativesRankingLoss(model)
    optimiser = torch.optim.AdamW(model.parameters(), lr=learning_rate)
    plan = [batch for epoch in range(epochs) for batch in batches(chosen, batch_size, seed + epoch)]
    model.train()
    losses = []
    for batch in tqdm(plan, desc="fine-tuning", unit="batch", disable=not progress):
        encode = getattr(model, "preprocess", None) or model.tokenize
        features = [encode([p.question for p in batch]), encode([p.passage for p in batch])]
        value = loss(features, torch.zeros(len(batch)))
        optimiser.zero_grad()
        value.backward()
        optimiser.step()
        losses.append(value.item())
    model.eval()
    trained = time.perf_counter() - started
    out.mkdir(parents=True, exist_ok=True)
    model.save(str(out))
    counts = {source: sum(p.source == source for p in chosen) for source in ("similar", "translation", "query")}
    report = {"base": str(base_path), "pairs": len(chosen), "by_source": counts, "epochs": epochs,
              "batch_size": batch_size, "steps": len(plan), "seconds": round(trained, 1),
              "seconds_per_pair": round(trained / (len(chosen) * epochs), 4),
              "loss_first": round(losses[0], 4), "loss_last": round(losses[-1], 4)}
    (out / "tune-model.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


def _packaged_minilm() -> Path:
    from kb.embedders import _packaged_minilm as packaged
    return packaged()
