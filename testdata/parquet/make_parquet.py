"""Writes the Parquet corpora Loupe's data tests read, in the layouts HF datasets use (pyarrow 25.0.1).

Run: python3 make_parquet.py  (from this folder). The words come from NonEmbeddedModelTest's vocabulary so the
same documents tokenise on the test's word-level model.
"""
import random

import pyarrow as pa
import pyarrow.parquet as pq

WORDS = ["the", "a", "man", "woman", "went", "to", "city", "river", "house", "saw", "old", "new", "and", "of",
         "in", "was", "he", "she", "day", "time"]
rng = random.Random(7)


def docs(n):
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 14))) for _ in range(n)]


# As datasets' to_parquet / the Hub's conversion: a 'text' string column beside others, snappy, several row groups.
text = docs(300)
pq.write_table(pa.table({"id": pa.array(range(300), pa.int64()), "text": pa.array(text, pa.string()),
                         "score": pa.array([rng.random() for _ in range(300)], pa.float64())}),
               "corpus-snappy.parquet", compression="snappy", row_group_size=128)
# Another field name and codec, dictionary-encoded strings.
pq.write_table(pa.table({"content": pa.array(docs(50), pa.string())}), "content-zstd.parquet",
               compression="zstd", use_dictionary=True)
# Uncompressed and gzip: Parquet's built-in codecs.
pq.write_table(pa.table({"text": pa.array(docs(20), pa.string())}), "plain-gzip.parquet", compression="gzip")
# Refused: a null document, and a text column that is not a string.
pq.write_table(pa.table({"text": pa.array(["the man went", None, "she saw"], pa.string())}), "null-text.parquet")
pq.write_table(pa.table({"text": pa.array([1, 2, 3], pa.int64())}), "int-text.parquet")
with open("expected-snappy-first-last.txt", "w") as f:
    f.write(text[0] + "\n" + text[-1] + "\n")
