"""Datasets. `digits` ships inside the package (no download); see DATA_ATTRIBUTION.md.

The others (Keras's loaders) download their files into the kerasx cache on first use.
"""

from kerasx.datasets import boston_housing as boston_housing
from kerasx.datasets import california_housing as california_housing
from kerasx.datasets import cifar10 as cifar10
from kerasx.datasets import cifar100 as cifar100
from kerasx.datasets import digits as digits
from kerasx.datasets import fashion_mnist as fashion_mnist
from kerasx.datasets import imdb as imdb
from kerasx.datasets import mnist as mnist
from kerasx.datasets import reuters as reuters
