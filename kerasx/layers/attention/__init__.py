"""Attention layers: Attention, AdditiveAttention, MultiHeadAttention, GroupQueryAttention."""

from kerasx.layers.attention.attention import AdditiveAttention as AdditiveAttention
from kerasx.layers.attention.attention import Attention as Attention
from kerasx.layers.attention.grouped_query_attention import (
    GroupQueryAttention as GroupQueryAttention,
)
from kerasx.layers.attention.multi_head_attention import MultiHeadAttention as MultiHeadAttention

__all__ = [
    "AdditiveAttention",
    "Attention",
    "GroupQueryAttention",
    "MultiHeadAttention",
]
