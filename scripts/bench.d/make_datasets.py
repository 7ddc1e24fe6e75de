"""Tiles the digits example's test split into larger .npz datasets for scripts/bench.

Usage: make_datasets.py SOURCE.npz OUT_DIR N [N ...]

Writes OUT_DIR/digits-<N>.npz for each N (1000 -> digits-1k.npz, 100000 -> digits-100k.npz):
sample i is source sample i % len(source), so every set holds whole copies of the split in the
same order (plus a prefix of it), with x uint8 and y int64 as in the source. A file that already
exists with the right length is kept.
"""

import os
import sys

import numpy as np


def name_for(n: int) -> str:
    if n % 1000 == 0:
        return f"digits-{n // 1000}k.npz"
    return f"digits-{n}.npz"


def main() -> int:
    if len(sys.argv) < 4:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    source, out_dir, sizes = sys.argv[1], sys.argv[2], [int(a) for a in sys.argv[3:]]
    with np.load(source) as data:
        x = np.asarray(data["x"], dtype=np.uint8)
        y = np.asarray(data["y"], dtype=np.int64)
    os.makedirs(out_dir, exist_ok=True)
    for n in sizes:
        path = os.path.join(out_dir, name_for(n))
        if os.path.exists(path):
            with np.load(path) as existing:
                if existing["y"].shape == (n,) and existing["x"].shape == (n,) + x.shape[1:]:
                    continue
        index = np.arange(n) % len(y)
        tmp = path + ".tmp.npz"
        np.savez(tmp, x=x[index], y=y[index])
        os.replace(tmp, path)
        print(f"wrote {path} ({n} samples)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
