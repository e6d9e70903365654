"""numpy kernels: the image family.

Every image op (kerasx/ops/imaging*.py) is a composite written in registry ops: resampling
is a product with interpolation weight matrices built on the host, warps are gathers
(`take`, whose gradient is `add_at`) blended with coordinate-dependent weights, and the
filters are depthwise convolutions. So this engine needs no image kernels of its own; a
fused kernel added here must come with gradient rules on the OpDef.
"""

from __future__ import annotations

KERNELS: dict = {}
