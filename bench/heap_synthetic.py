#!/usr/bin/env python3
"""Writes a synthetic malloc-lab trace with a steady live-block count, for showing that the cost
of an operation stays flat (O(log n)) as the heap grows.

    heap_synthetic.py LIVE STEADY SEED > trace.rep

It allocates 2*LIVE blocks of 16 to 512 bytes, frees every other one (so the free list holds
about LIVE blocks, none adjacent), then runs STEADY operations that each free a random live block
or allocate a new one with equal probability, and frees nothing at the end.
"""
import random
import sys

live, steady, seed = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(seed)
ops = []
ids = []
next_id = 0
for _ in range(2 * live):
    ops.append(f"a {next_id} {rng.randint(16, 512)}")
    ids.append(next_id)
    next_id += 1
kept = []
for i, b in enumerate(ids):
    if i % 2 == 0:
        ops.append(f"f {b}")
    else:
        kept.append(b)
ids = kept
for _ in range(steady):
    if rng.random() < 0.5 and ids:
        i = rng.randrange(len(ids))
        ops.append(f"f {ids[i]}")
        ids[i] = ids[-1]
        ids.pop()
    else:
        ops.append(f"a {next_id} {rng.randint(16, 512)}")
        ids.append(next_id)
        next_id += 1
out = sys.stdout
out.write(f"0\n{next_id}\n{len(ops)}\n1\n")
out.write("\n".join(ops))
out.write("\n")
