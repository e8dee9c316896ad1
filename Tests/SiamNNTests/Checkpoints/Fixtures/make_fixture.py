"""Writes reference.safetensors with the reference implementation (safetensors 0.8.0).

Run: pip install safetensors numpy && python3 make_fixture.py
The Swift tests read the committed file; they do not need Python. (Files written by
Siam were checked the other way by hand: safetensors.numpy.load_file and safe_open
read their tensors and metadata.)
"""
import numpy as np
from safetensors.numpy import save_file

tensors = {
    "conv1.weight": np.arange(24, dtype=np.float32).reshape(2, 3, 2, 2) / 8 - 1,
    "bn1.running_var": np.array([0.5, 1.5], dtype=np.float32),
    "bn1.num_batches_tracked": np.array(7.0, dtype=np.float32),
    "layer1.0.bn1.bias": np.array([-1e-30, 3.4e38, 1.0 / 3.0], dtype=np.float32),
    "empty": np.zeros((0, 4), dtype=np.float32),
}
save_file(tensors, "reference.safetensors", metadata={"epoch": "3", "note": "ünïcode \"quoted\""})
