"""Build a branching model so that its layers come in the same order as in Keras.

Keras lists a functional model's layers by decreasing depth (the longest path to the output),
ties broken by a depth-first walk from the output; `model.weights`, `get_weights` and the
legacy `.h5` weight files of `keras.applications` follow that order. kerasx lists layers in
call order. The two agree for chains but not for multi-branch blocks (Inception modules), so
the builders of those families record their layer calls here first and `LayerGraph.build`
replays them once, in Keras's order. The layers are still created in the builder's order, so
automatic names (`conv2d_7`, ...) are the same as in Keras too.

Private to `kerasx.applications`.
"""

from __future__ import annotations

from typing import Any


class LayerGraph:
    """A recorder of layer calls on symbolic references, replayed later in Keras's order.

    `g.input` refers to the image input; `g(layer, ref)` or `g(layer, [ref, ...])` records a
    call and returns a reference to its output; `g.build(tensor, output_ref)` makes the
    calls for real, starting from `tensor`, and returns the output tensor.
    """

    def __init__(self) -> None:
        # call k (k >= 1) -> (layer, parent refs, whether the layer takes a list); 0 = input
        self._calls: list[tuple[Any, list[int], bool]] = []

    @property
    def input(self) -> int:
        """The reference of the image input."""
        return 0

    def __call__(self, layer: Any, inputs: int | list[int]) -> int:
        """Record `layer(inputs)` and return the reference of its output."""
        is_list = isinstance(inputs, (list, tuple))
        refs = list(inputs) if is_list else [inputs]
        self._calls.append((layer, refs, is_list))
        return len(self._calls)

    def _parents(self, ref: int) -> list[int]:
        return self._calls[ref - 1][1] if ref else []

    def keras_order(self, output: int) -> list[int]:
        """The references reachable from `output`, in the order Keras lists their layers."""
        # Depth-first walk from the output: pre-order index (Keras's tie-breaker) and the
        # post-order (inputs first) used to propagate depths.
        index: dict[int, int] = {output: 0}
        post: list[int] = []
        stack = [(output, iter(self._parents(output)))]
        while stack:
            ref, parents = stack[-1]
            for parent in parents:
                if parent not in index:
                    index[parent] = len(index)
                    stack.append((parent, iter(self._parents(parent))))
                    break
            else:
                stack.pop()
                post.append(ref)
        depth: dict[int, int] = {}
        for ref in reversed(post):
            d = depth.setdefault(ref, 0)
            for parent in self._parents(ref):
                depth[parent] = max(d + 1, depth.get(parent, 0))
        return sorted(post, key=lambda r: (-depth[r], index[r]))

    def build(self, input_tensor: Any, output: int) -> Any:
        """Call the recorded layers in Keras's order, starting from `input_tensor`.

        Args:
            input_tensor: the symbolic tensor that `self.input` stands for.
            output: the reference of the model's output.

        Returns:
            The output tensor.
        """
        tensors: dict[int, Any] = {0: input_tensor}
        for ref in self.keras_order(output):
            if ref == 0:
                continue
            layer, parents, is_list = self._calls[ref - 1]
            args = [tensors[p] for p in parents]
            tensors[ref] = layer(args if is_list else args[0])
        return tensors[output]
