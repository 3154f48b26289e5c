"""Seeded synthetic corpus for the search benchmark.

    .venv/bin/python bench/corpus.py 10000 bench/out/corpus-10k [--seed 7]

Writes ``N`` article files in the import format (DESIGN.md §3). Text is drawn from the seed
documents in ``../shared/seeds/`` and the demo articles in ``articles/``: Chinese sentences
(about 20 % of articles converted to traditional characters with OpenCC ``s2t``), English
sentences from the English demo articles, product and error codes, order numbers and phone
numbers, so the vocabulary keeps growing with the corpus as a real knowledge base's does.
Article lengths follow the demo articles' (median ≈ 2.6 kB).
"""
import argparse
import random
import re
from pathlib import Path

import opencc

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
if not SEEDS.is_dir():  # a worktree or a CI clone keeps shared/ next to the repository
    SEEDS = Path("/work/shared/seeds")
ARTICLES = ROOT / "articles"
CATEGORIES = ("product", "policy", "sop")
PRODUCTS = ("YF-S2", "YF-S2 Pro", "CJ-W5", "NJ-H3", "YF-X1", "CJ-R3")
SENTENCE_RE = re.compile(r"[^。！？!?\n]+[。！？!?]?")


def _front_matter_body(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    _, head, body = text.split("---", 2)
    meta = {}
    for line in head.strip().splitlines():
        key, _, value = line.partition(":")
        meta[key.strip()] = value.strip()
    return meta, body


def load_pools() -> dict:
    """Sentence, heading, title and tag pools from the seeds and the demo articles."""
    zh, en, headings, titles, tags = [], [], [], [], set()
    texts = [p.read_text(encoding="utf-8", errors="ignore") for p in sorted(SEEDS.glob("*.txt"))]
    for path in sorted(ARTICLES.glob("*.md")):
        meta, body = _front_matter_body(path)
        titles.append(meta.get("title", ""))
        tags.update(t.strip() for t in meta.get("tags", "").strip("[]").split(",") if t.strip())
        headings.extend(h.strip() for h in re.findall(r"^#+ (.+)$", body, re.M))
        if meta.get("language") == "en":
            en.extend(s.strip() for s in re.split(r"(?<=[.!?])\s+", body)
                      if len(s.strip()) > 30 and "|" not in s)
        else:
            texts.append(body)
    for text in texts:
        for s in SENTENCE_RE.findall(text.replace("\n", "")):
            if 12 <= len(s) <= 120 and "|" not in s and "http" not in s:
                zh.append(s.strip())
    return {"zh": zh, "en": en, "headings": headings, "titles": titles, "tags": sorted(tags)}


def _code(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.4:
        return f"E-{rng.randint(100, 199)}"
    if kind < 0.7:
        return rng.choice(PRODUCTS)
    if kind < 0.9:
        return f"KF{rng.randint(2023, 2026)}{rng.randint(100000, 999999)}"
    return f"400-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"


def make_article(n: int, rng: random.Random, pools: dict, s2t) -> tuple[str, str]:
    """Return (slug, file text) of synthetic article ``n``."""
    roll = rng.random()
    language = "en" if roll < 0.2 else "zh-Hant" if roll < 0.4 else "zh-Hans"
    sentences = pools["en"] if language == "en" else pools["zh"]
    target = int(min(8000, max(400, rng.lognormvariate(7.85, 0.5))))  # bytes, median ≈ 2.6 kB
    parts, size = [], 0
    while size < target:
        heading = rng.choice(pools["headings"])
        section = [f"## {heading} {rng.randint(1, 99)}", ""]
        for _ in range(rng.randint(3, 7)):
            sentence = rng.choice(sentences)
            if rng.random() < 0.25:
                sentence += f" {_code(rng)}"
            section.append(sentence)
        block = ("\n" if language == "en" else "").join(section[2:])
        parts.append(f"{section[0]}\n\n{block}\n")
        size += len(block.encode())
    title = f"{rng.choice(pools['titles'])} · {rng.choice(pools['headings'])} {n}"
    body = "\n".join(parts)
    if language == "zh-Hant":
        title, body = s2t.convert(title), s2t.convert(body)
    tags = rng.sample(pools["tags"], k=rng.randint(2, 4))
    slug = f"bench-{n:06d}"
    text = (f"---\ntitle: {title}\nslug: {slug}\ncategory: {rng.choice(CATEGORIES)}\n"
            f"tags: [{', '.join(tags)}]\nlanguage: {language}\nstatus: published\n---\n{body}")
    return slug, text


def generate(count: int, target: Path, seed: int = 7) -> int:
    """Write ``count`` articles to ``target``; the same seed gives the same files."""
    rng = random.Random(seed)
    pools = load_pools()
    s2t = opencc.OpenCC("s2t")
    target.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        slug, text = make_article(n, rng, pools, s2t)
        (target / f"{slug}.md").write_text(text, encoding="utf-8")
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int)
    parser.add_argument("target", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    generate(args.count, args.target, args.seed)
    print(f"wrote {args.count} articles to {args.target}")


if __name__ == "__main__":
    main()
