"""The `resnet50` module of Keras: ResNet50 and its helpers, the same objects as in
`keras.applications.resnet`."""

from kerasx.applications.resnet import ResNet50 as ResNet50
from kerasx.applications.resnet import decode_predictions as decode_predictions
from kerasx.applications.resnet import preprocess_input as preprocess_input
