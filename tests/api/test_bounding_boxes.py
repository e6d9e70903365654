"""kerasx.utils.bounding_boxes: closed forms, errors, and parity with Keras 3 (numpy backend)."""

import itertools
import math

import numpy as np
import pytest

from kerasx import config, ops
from kerasx.engine.discovery import installed_engines
from kerasx.utils import bounding_boxes as BB

FORMATS = (
    "xyxy",
    "yxyx",
    "xywh",
    "center_xywh",
    "center_yxhw",
    "rel_xyxy",
    "rel_yxyx",
    "rel_xywh",
    "rel_center_xywh",
)
ABSOLUTE = FORMATS[:5]
H, W = 48, 64


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


@pytest.fixture
def KB():
    keras = pytest.importorskip("keras")
    return keras.utils.bounding_boxes


def _np(x):
    if isinstance(x, dict):
        return {k: _np(v) for k, v in x.items()}
    return np.asarray(ops.convert_to_numpy(x))


def _close(ours, theirs, rtol=1e-5, atol=1e-5):
    ours, theirs = _np(ours), _np(theirs)
    if isinstance(theirs, dict):
        assert set(ours) == set(theirs)
        for k in theirs:
            _close(ours[k], theirs[k], rtol, atol)
        return
    assert ours.shape == theirs.shape
    assert ours.dtype == theirs.dtype, (ours.dtype, theirs.dtype)
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)


def _xyxy(rng, *lead, scale=(W, H)):
    """Random valid xyxy boxes inside a W x H image."""
    xy = rng.uniform(0, 0.6, size=(*lead, 2)) * scale
    wh = rng.uniform(0.05, 0.4, size=(*lead, 2)) * scale
    return np.concatenate([xy, xy + wh], -1).astype("float32")


def _boxes_in(rng, fmt, *lead):
    """Random valid boxes in `fmt` (converted from xyxy with NumPy, independently)."""
    b = _xyxy(rng, *lead)
    x1, y1, x2, y2 = np.split(b, 4, -1)
    w, h = x2 - x1, y2 - y1
    base = fmt.replace("rel_", "")
    parts = {
        "xyxy": [x1, y1, x2, y2],
        "yxyx": [y1, x1, y2, x2],
        "xywh": [x1, y1, w, h],
        "center_xywh": [x1 + w / 2, y1 + h / 2, w, h],
        "center_yxhw": [y1 + h / 2, x1 + w / 2, h, w],
    }[base]
    if fmt.startswith("rel_"):
        scale = {"xyxy": [W, H, W, H], "yxyx": [H, W, H, W]}.get(base, [W, H, W, H])
        parts = [p / s for p, s in zip(parts, scale, strict=True)]
    return np.concatenate(parts, -1).astype("float32")


def _err(fn, *args, **kwargs):
    with pytest.raises(Exception) as info:  # noqa: PT011 - the type is what we compare
        fn(*args, **kwargs)
    return info.type


# ---------------------------------------------------------------- closed forms (no Keras)


def test_iou_of_two_boxes_by_hand(engine):
    a = np.array([[0.0, 0.0, 2.0, 2.0]], "float32")
    b = np.array([[1.0, 1.0, 3.0, 3.0], [5.0, 5.0, 6.0, 6.0], [0.0, 0.0, 2.0, 2.0]], "float32")
    iou = _np(BB.compute_iou(a, b, "xyxy"))
    np.testing.assert_allclose(iou, [[1 / 7, 0.0, 1.0]], rtol=1e-5)
    # The same boxes given as yxyx / xywh give the same table.
    np.testing.assert_allclose(
        _np(BB.compute_iou(a[:, [1, 0, 3, 2]], b[:, [1, 0, 3, 2]], "yxyx")), iou
    )
    ciou = _np(BB.compute_ciou(a, a, "xyxy"))
    np.testing.assert_allclose(ciou, [1.0], rtol=1e-5)


def test_ciou_by_hand(engine):
    # Same-shape squares side by side: IoU 0, v = 0, penalty = d^2 / c^2 = 4 / (16 + 4).
    a = np.array([0.0, 0.0, 2.0, 2.0], "float32")
    b = np.array([2.0, 0.0, 4.0, 2.0], "float32")
    np.testing.assert_allclose(_np(BB.compute_ciou(a, b, "xyxy")), -4 / 20, rtol=1e-5)


@pytest.mark.parametrize("fmt", FORMATS)
def test_format_round_trip(engine, fmt):
    boxes = _xyxy(np.random.default_rng(0), 2, 5)
    there = BB.convert_format(boxes, "xyxy", fmt, height=H, width=W)
    back = BB.convert_format(there, fmt, "xyxy", height=H, width=W)
    np.testing.assert_allclose(_np(back), boxes, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(
        _np(there), _boxes_in(np.random.default_rng(0), fmt, 2, 5), atol=1e-4
    )


@pytest.mark.parametrize("enc", ["center_yxhw", "center_xywh"])
def test_encode_then_decode_gives_the_boxes(engine, enc):
    rng = np.random.default_rng(1)
    anchors = _xyxy(rng, 6)
    boxes = _xyxy(rng, 3, 6)
    var = [0.1, 0.1, 0.2, 0.2]
    deltas = BB.encode_box_to_deltas(anchors, boxes, "xyxy", "xyxy", enc, variance=var)
    assert tuple(ops.shape(deltas)) == (3, 6, 4)
    back = BB.decode_deltas_to_boxes(anchors, deltas, "xyxy", "xyxy", enc, variance=var)
    np.testing.assert_allclose(_np(back), boxes, rtol=1e-4, atol=1e-3)
    # A box equal to its anchor encodes to zero deltas.
    zero = BB.encode_box_to_deltas(anchors, anchors, "xyxy", "xyxy", enc)
    np.testing.assert_allclose(_np(zero), 0.0, atol=1e-5)


def test_clip_crop_pad_affine_by_hand(engine):
    d = {"boxes": np.array([[-10.0, -20, 150, 160], [200, 200, 300, 300]], "float32")}
    d["labels"] = np.array([3, 4], "int32")
    out = BB.clip_to_image_size(d, height=100, width=120)
    np.testing.assert_array_equal(_np(out["boxes"]), [[0, 0, 120, 100], [120, 100, 120, 100]])
    np.testing.assert_array_equal(_np(out["labels"]), [3, -1])
    b = np.array([[10.0, 20, 50, 60]], "float32")
    np.testing.assert_array_equal(_np(BB.crop(b, 10, 20, 40, 30)), [[0, 10, 30, 40]])
    np.testing.assert_array_equal(_np(BB.pad(b, 10, 20)), [[30, 30, 70, 70]])
    same = BB.affine_transform(b[None], [0.0], [0.0], [0.0], [1.0], [0.0], [0.0], 100, 100)
    np.testing.assert_allclose(_np(same), b[None], atol=1e-4)
    # A 90 degree turn about the center of a 101 x 101 image (center 50, 50).
    turned = BB.affine_transform(b, 90.0, 0.0, 0.0, 1.0, 0.0, 0.0, 101, 101)
    np.testing.assert_allclose(_np(turned), [[20, 50, 60, 90]], atol=1e-3)


def test_mixed_rank_masking_works(engine):
    """Keras fails here (a transpose with the wrong rank); kerasx broadcasts."""
    b1 = np.array([[0.0, 0, 10, 10], [-1, -1, -1, -1], [-10, 0, 10, 10]], "float32")
    b2 = np.array([[[0.0, 0, 10, 10]], [[0, 0, 5, 10]]], "float32")
    out = _np(BB.compute_iou(b1, b2, "xyxy", use_masking=True))
    expected = [[[1.0], [-1.0], [0.5]], [[0.5], [-1.0], [0.25]]]
    np.testing.assert_allclose(out, expected, rtol=1e-5)
    out = _np(BB.compute_iou(b2, b1, "xyxy", use_masking=True, mask_val=-2))
    np.testing.assert_allclose(out, [[[1.0, -2.0, 0.5]], [[0.5, -2.0, 0.25]]], rtol=1e-5)


# ---------------------------------------------------------------- errors (no Keras)


def test_errors_teach(engine):
    b = np.zeros((2, 4), "float32")
    with pytest.raises(ValueError, match="invalid bounding box format.*'foo'"):
        BB.convert_format(b, "foo", "xyxy")
    with pytest.raises(ValueError, match="needs both `height` and `width`"):
        BB.convert_format(b, "xyxy", "rel_xyxy", height=3)
    with pytest.raises(ValueError, match=r"last dimension of size 4.*\(2, 3\)"):
        BB.convert_format(np.zeros((2, 3)), "xyxy", "xywh")
    with pytest.raises(ValueError, match="image_shape"):
        BB.compute_iou(b, b, "rel_xyxy")
    with pytest.raises(ValueError, match="rank 2"):
        BB.compute_iou(b[0], b, "xyxy")
    with pytest.raises(ValueError, match="relative"):
        BB.compute_ciou(b, b, "rel_xyxy", image_shape=(4, 4, 3))
    with pytest.raises(ValueError, match="4 values"):
        BB.encode_box_to_deltas(b, b, "xyxy", "xyxy", variance=[1, 2, 3])
    with pytest.raises(ValueError, match="center_xywh"):
        BB.decode_deltas_to_boxes(b, b, "xyxy", "xyxy", encoded_format="xyxy")
    with pytest.raises(NotImplementedError, match="only supports bounding_box_format='xyxy'"):
        BB.crop(b, 0, 0, 1, 1, bounding_box_format="yxyx")
    with pytest.raises(ValueError, match="`height` and `width`"):
        BB.clip_to_image_size({"boxes": b})
    with pytest.raises(TypeError, match="dict"):
        BB.clip_to_image_size(b, 1, 1)


# ---------------------------------------------------------------- parity with Keras 3


@pytest.mark.parametrize("lead", [(5,), (2, 5)], ids=["unbatched", "batched"])
def test_convert_format_every_pair_matches_keras(engine, KB, lead):
    rng = np.random.default_rng(2)
    for src, dst in itertools.product(FORMATS, FORMATS):
        boxes = _boxes_in(rng, src, *lead)
        ours = BB.convert_format(boxes, src, dst, height=H, width=W)
        _close(ours, KB.convert_format(boxes, src, dst, height=H, width=W))
        relative = src.startswith("rel_") or dst.startswith("rel_")
        if relative:
            assert _err(BB.convert_format, boxes, src, dst) is _err(
                KB.convert_format, boxes, src, dst
            )
        else:
            _close(BB.convert_format(boxes, src, dst), KB.convert_format(boxes, src, dst))


def test_convert_format_dtypes_case_and_dicts_match_keras(engine, KB):
    b = np.array([[10, 20, 30, 40], [50, 60, 70, 80]])
    _close(BB.convert_format(b, "XYXY", "Center_YXHW"), KB.convert_format(b, "XYXY", "Center_YXHW"))
    b64 = b.astype("float64")
    _close(
        BB.convert_format(b64, "xyxy", "xywh", dtype="float64"),
        KB.convert_format(b64, "xyxy", "xywh", dtype="float64"),
    )
    _close(BB.convert_format(b, "xyxy", "xyxy"), KB.convert_format(b, "xyxy", "xyxy"))
    ours_in = {"boxes": b.astype("float32"), "labels": np.array([1, 2])}
    theirs_in = dict(ours_in)
    ours = BB.convert_format(ours_in, "xyxy", "rel_yxyx", height=H, width=W)
    theirs = KB.convert_format(theirs_in, "xyxy", "rel_yxyx", height=H, width=W)
    assert ours is ours_in and theirs is theirs_in  # Keras updates the dict in place
    _close(ours, theirs)


@pytest.mark.parametrize("fmt", ["xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw", "rel_xyxy"])
def test_compute_iou_matches_keras(engine, KB, fmt):
    rng = np.random.default_rng(3)
    shape = (H, W, 3)
    for lead1, lead2 in [((4,), (3,)), ((2, 4), (3,)), ((4,), (2, 3)), ((2, 4), (2, 3))]:
        b1, b2 = _boxes_in(rng, fmt, *lead1), _boxes_in(rng, fmt, *lead2)
        if len(lead1) == len(lead2):
            b2[..., -1, :] = b1[..., 0, :]  # one exact overlap
        _close(
            BB.compute_iou(b1, b2, fmt, image_shape=shape),
            KB.compute_iou(b1, b2, fmt, image_shape=shape),
        )
        if len(lead1) == len(lead2):  # Keras' masking only works for equal ranks
            b1[..., 1, :] = -1.0  # a padding box: masked
            b1[..., 2, :2] = -0.01  # partly negative: not masked
            b2[..., 0, :2] = -0.01
            b2[..., 1, :] = -2.0
            for mask_val in (-1, 7):
                _close(
                    BB.compute_iou(b1, b2, fmt, True, mask_val, image_shape=shape),
                    KB.compute_iou(b1, b2, fmt, True, mask_val, image_shape=shape),
                )


@pytest.mark.parametrize("fmt", ABSOLUTE)
def test_compute_ciou_matches_keras(engine, KB, fmt):
    rng = np.random.default_rng(4)
    for lead1, lead2 in [((5,), (5,)), ((2, 5), (5,)), ((2, 5), (2, 5))]:
        b1, b2 = _boxes_in(rng, fmt, *lead1), _boxes_in(rng, fmt, *lead2)
        _close(BB.compute_ciou(b1, b2, fmt), KB.compute_ciou(b1, b2, fmt), atol=1e-5)
    ints = np.array([[0, 0, 4, 4], [1, 2, 5, 9]])
    _close(BB.compute_ciou(ints, ints[::-1], "xyxy"), KB.compute_ciou(ints, ints[::-1], "xyxy"))


@pytest.mark.parametrize("enc", ["center_yxhw", "center_xywh"])
def test_encode_decode_match_keras(engine, KB, enc):
    rng = np.random.default_rng(5)
    shape = (H, W, 3)
    for anchor_fmt, box_fmt in [("xyxy", "xyxy"), ("xywh", "center_yxhw"), ("yxyx", "rel_xyxy")]:
        for variance in (None, [0.1, 0.1, 0.2, 0.2], np.array([[1.0, 2.0, 0.5, 0.25]])):
            anchors = _boxes_in(rng, anchor_fmt, 6)
            for lead in [(6,), (2, 6)]:
                boxes = _boxes_in(rng, box_fmt, *lead)
                args = (anchors, boxes, anchor_fmt, box_fmt, enc, variance, shape)
                ours, theirs = BB.encode_box_to_deltas(*args), KB.encode_box_to_deltas(*args)
                _close(ours, theirs, atol=1e-4)
                deltas = _np(theirs)
                args = (anchors, deltas, anchor_fmt, box_fmt, enc, variance, shape)
                _close(
                    BB.decode_deltas_to_boxes(*args), KB.decode_deltas_to_boxes(*args), atol=1e-4
                )
    anchors = {"p3": _xyxy(rng, 4), 4: _xyxy(rng, 2)}
    deltas = {"p3": rng.normal(size=(4, 4)).astype("float32"), 4: rng.normal(size=(3, 2, 4))}
    deltas[4] = deltas[4].astype("float32")
    _close(
        BB.decode_deltas_to_boxes(anchors, deltas, "xyxy", "yxyx", enc),
        KB.decode_deltas_to_boxes(anchors, deltas, "xyxy", "yxyx", enc),
        atol=1e-4,
    )
    ints = np.array([[0, 0, 10, 10], [5, 5, 25, 15]])
    _close(
        BB.encode_box_to_deltas(ints, ints + 1, "xyxy", "xyxy", enc),
        KB.encode_box_to_deltas(ints, ints + 1, "xyxy", "xyxy", enc),
    )


@pytest.mark.parametrize("dtype", ["float32", "int32"])
def test_clip_crop_pad_match_keras(engine, KB, dtype):
    rng = np.random.default_rng(6)
    for lead in [(6,), (2, 6)]:
        boxes = (rng.uniform(-30, 150, size=(*lead, 4))).astype(dtype)
        labels = rng.integers(0, 5, size=lead).astype("int32")
        d = {"boxes": boxes, "labels": labels}
        _close(
            BB.clip_to_image_size(d, height=100, width=120),
            KB.clip_to_image_size(d, height=100, width=120),
        )
        d = {"boxes": boxes, "extra": "kept"}  # other entries are carried over
        ours = BB.clip_to_image_size(d, height=100, width=120)
        theirs = KB.clip_to_image_size(d, height=100, width=120)
        assert ours["extra"] == theirs["extra"] == "kept" and set(ours) == set(theirs)
        _close(ours["boxes"], theirs["boxes"])
        if dtype == "float32":
            rel = {"boxes": boxes / 100.0, "labels": labels}
            _close(
                BB.clip_to_image_size(rel, bounding_box_format="rel_xyxy"),
                KB.clip_to_image_size(rel, bounding_box_format="rel_xyxy"),
            )
        for top, left, h, w in [(10, 20, 40, 30), (5, 5, None, None)]:
            _close(BB.crop(boxes, top, left, h, w), KB.crop(boxes, top, left, h, w))
        _close(BB.pad(boxes, 7, 3), KB.pad(boxes, 7, 3))


def test_affine_transform_matches_keras(engine, KB):
    rng = np.random.default_rng(7)
    boxes = _xyxy(rng, 3, 5, scale=(120, 80))

    def per_image(lo, hi):
        return rng.uniform(lo, hi, size=(3,)).astype("float32")

    for center in [(None, None), (0.3, per_image(0.2, 0.8))]:
        args = (
            boxes,
            per_image(-45, 45),
            per_image(-0.2, 0.2),
            per_image(-0.2, 0.2),
            per_image(0.7, 1.3),
            per_image(-20, 20),
            per_image(-20, 20),
            80,
            120,
        )
        kwargs = {"center_x": center[0], "center_y": center[1]}
        _close(
            BB.affine_transform(*args, **kwargs), KB.affine_transform(*args, **kwargs), atol=1e-3
        )
    ints = np.array([[[10, 20, 30, 40]]])
    one = np.ones(1, "float64")
    args = (ints, 30 * one, 0.1 * one, 0 * one, one, 0 * one, 0 * one, 100, 100)
    _close(BB.affine_transform(*args), KB.affine_transform(*args), atol=1e-3)


def test_error_types_match_keras(engine, KB):
    b = np.ones((2, 4), "float32")
    cases = [
        ("convert_format", (b, "foo", "xyxy"), {}),
        ("convert_format", (b, "xyxy", "bar"), {}),
        ("convert_format", (b, "xyxy", "rel_xyxy"), {"width": 3}),
        ("convert_format", (b, "rel_xywh", "xyxy"), {"height": 3}),
        ("convert_format", (np.ones((2, 5)), "xyxy", "xywh"), {}),
        ("convert_format", ({"labels": b}, "xyxy", "xywh"), {}),
        ("compute_iou", (b[0], b, "xyxy"), {}),
        ("compute_iou", (b, b[None, None], "xyxy"), {}),
        ("compute_iou", (b, b, "rel_xyxy"), {}),
        ("compute_iou", (b, b, "nope"), {}),
        ("compute_ciou", (b, b, "rel_xyxy"), {"image_shape": (4, 4, 3)}),
        ("encode_box_to_deltas", (b, b, "xyxy", "xyxy"), {"variance": [1.0]}),
        ("encode_box_to_deltas", (b, b, "xyxy", "xyxy"), {"encoding_format": "xywh"}),
        ("decode_deltas_to_boxes", (b, b, "xyxy", "xyxy"), {"variance": [1, 2, 3, 4, 5]}),
        ("decode_deltas_to_boxes", (b, b, "xyxy", "xyxy"), {"encoded_format": "yxyx"}),
        ("clip_to_image_size", ({"boxes": b},), {}),
        ("clip_to_image_size", ({"boxes": b}, 1, 1, "yxyx"), {}),
        ("crop", (b, 0, 0, 1, 1, "xywh"), {}),
        ("pad", (b, 0, 0), {"bounding_box_format": "center_xywh"}),
        ("affine_transform", (b[None], *[np.zeros(1)] * 6, 9, 9), {"bounding_box_format": "yxyx"}),
    ]
    for name, args, kwargs in cases:
        ours = _err(getattr(BB, name), *args, **kwargs)
        theirs = _err(getattr(KB, name), *args, **kwargs)
        assert ours is theirs, (name, args, kwargs, ours, theirs)


def test_namespace_matches_keras(KB):
    names = {n for n in dir(KB) if not n.startswith("_")}
    assert names <= {n for n in dir(BB) if not n.startswith("_")}
    import inspect

    for n in names:
        assert inspect.signature(getattr(BB, n)).parameters.keys() == (
            inspect.signature(getattr(KB, n)).parameters.keys()
        ), n
        ours = [p.default for p in inspect.signature(getattr(BB, n)).parameters.values()]
        theirs = [p.default for p in inspect.signature(getattr(KB, n)).parameters.values()]
        assert ours == theirs, n
    assert math.isclose(config.epsilon(), 1e-7)
