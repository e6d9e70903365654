"""kerasx.utils.bounding_boxes: box format conversion, IoU and box geometry (Keras surface)."""

from kerasx.utils.bounding_boxes.deltas import decode_deltas_to_boxes as decode_deltas_to_boxes
from kerasx.utils.bounding_boxes.deltas import encode_box_to_deltas as encode_box_to_deltas
from kerasx.utils.bounding_boxes.formats import convert_format as convert_format
from kerasx.utils.bounding_boxes.geometry import affine_transform as affine_transform
from kerasx.utils.bounding_boxes.geometry import clip_to_image_size as clip_to_image_size
from kerasx.utils.bounding_boxes.geometry import crop as crop
from kerasx.utils.bounding_boxes.geometry import pad as pad
from kerasx.utils.bounding_boxes.iou import compute_ciou as compute_ciou
from kerasx.utils.bounding_boxes.iou import compute_iou as compute_iou
