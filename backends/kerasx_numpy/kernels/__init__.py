"""NumPy kernels, one module per op family; each module exports a ``KERNELS`` dict."""
