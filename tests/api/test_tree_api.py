"""kerasx.tree (keras.tree): the full public surface, checked against stated values and,
where Keras is installed, against keras.tree on the same inputs."""

from __future__ import annotations

import collections

import pytest

import kerasx
from kerasx import tree

P = collections.namedtuple("P", "b a")
Q = collections.namedtuple("Q", "b a")


def _od():
    return collections.OrderedDict([("z", 1), ("a", 2)])


def test_dict_kinds_order_and_rebuild():
    # plain dicts and defaultdicts: sorted keys; OrderedDict: insertion order
    assert tree.flatten({"z": 1, "a": 2}) == [2, 1]
    assert tree.flatten(_od()) == [1, 2]
    dd = collections.defaultdict(list, {"z": 1, "a": 2})
    assert tree.flatten(dd) == [2, 1]
    packed = tree.pack_sequence_as(dd, [10, 20])
    assert type(packed) is collections.defaultdict and packed.default_factory is list
    assert list(packed.items()) == [("z", 20), ("a", 10)]
    assert tree.pack_sequence_as(_od(), [10, 20]) == collections.OrderedDict(z=10, a=20)
    # deques are nested (maxlen kept)
    d = collections.deque([1, [2, 3]], maxlen=5)
    assert tree.is_nested(d) and tree.flatten(d) == [1, 2, 3]
    back = tree.pack_sequence_as(d, [7, 8, 9])
    assert back == collections.deque([7, [8, 9]]) and back.maxlen == 5
    assert not tree.is_nested({1, 2}) and tree.flatten("ab") == ["ab"]


def test_flatten_with_path():
    got = tree.flatten_with_path({"b": [1, {"c": 2}], "a": P(3, 4)})
    assert got == [(("a", 0), 3), (("a", 1), 4), (("b", 0), 1), (("b", 1, "c"), 2)]
    assert tree.flatten_with_path(None) == [((), None)]
    assert tree.flatten_with_path([]) == []
    assert tree.flatten_with_path(_od()) == [(("z",), 1), (("a",), 2)]


def test_assert_same_structure():
    tree.assert_same_structure([1, (2, {"k": None})], [5, (6, {"k": 7})])
    tree.assert_same_structure({"z": 1, "a": 2}, _od())  # dict kinds with the same keys match
    bad = [
        ([1, (2, 3)], [1, [2, 3]]),  # tuple vs list
        ([1, 2], [1, 2, 3]),  # length
        ({"a": 1}, {"b": 1}),  # keys
        (P(1, 2), (1, 2)),  # namedtuple vs tuple
        (P(1, 2), Q(1, 2)),  # two namedtuple types
        (collections.deque([1]), [1]),
        ([1, [2]], [1, 3]),  # nested vs leaf
        ([1, 3], [1, [2]]),  # leaf vs nested
        ([], ()),
        ({}, []),
    ]
    for a, b in bad:
        with pytest.raises(ValueError, match="differ"):
            tree.assert_same_structure(a, b)
    with pytest.raises(ValueError, match="keys"):
        tree.assert_same_structure({"a": 1}, {"b": 1})


def test_assert_same_paths():
    tree.assert_same_paths([1, (2, 3)], [1, [2, 3]])  # only paths count
    tree.assert_same_paths(P(1, 2), (1, 2))
    with pytest.raises(ValueError, match=r"missing from `a`: \[\(2,\)\]"):
        tree.assert_same_paths([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match=r"missing from `b`: \[\('a',\)\]"):
        tree.assert_same_paths({"a": 1}, {"b": 1})


def test_map_structure():
    assert tree.map_structure(lambda a, b: a + b, [1, (2,)], [10, (20,)]) == [11, (22,)]
    # dict children are paired by key, whatever each dict's order
    got = tree.map_structure(lambda a, b: (a, b), _od(), {"a": "A", "z": "Z"})
    assert got == collections.OrderedDict([("z", (1, "Z")), ("a", (2, "A"))])
    assert list(tree.map_structure(lambda x: x, {"b": 1, "a": 2})) == ["b", "a"]
    assert tree.map_structure(lambda x: 1, [None, 2]) == [1, 1]
    assert tree.map_structure(lambda x: 1, [None, 2], none_is_leaf=False) == [None, 1]
    seen = []
    tree.map_structure(seen.append, {"b": 1, "a": 2, "c": [3]})
    assert seen == [2, 1, 3]  # called in flatten order
    with pytest.raises(ValueError, match="at least one structure"):
        tree.map_structure(lambda x: x)
    for a, b in [([1, 2], (1, 2)), (P(1, 2), (1, 2)), ([1, 2], [1, 2, 3])]:
        with pytest.raises(ValueError, match="differ"):
            tree.map_structure(lambda x, y: x, a, b)


def test_map_structure_up_to():
    got = tree.map_structure_up_to(
        [1, (2, 3)], lambda a, b: (a, b), [[1, 2], ({"x": 1}, 5)], [7, (8, 9)]
    )
    assert got == [([1, 2], 7), (({"x": 1}, 8), (5, 9))]
    got = tree.map_structure_up_to(
        {"a": 1, "b": 2}, lambda x, y: (x, y), {"a": [1], "b": 2}, {"a": 5, "b": 6}
    )
    assert got == {"a": ([1], 5), "b": (2, 6)}
    for shallow, s in [
        ([1, 2], [[1], 2, 3]),
        ([1, [2]], [1, 2]),
        ({"a": 1}, {"b": 1}),
        ([1, 2], (3, 4)),
    ]:
        with pytest.raises(ValueError):
            tree.map_structure_up_to(shallow, lambda x: x, s)


def test_map_shape_structure_and_lists_to_tuples():
    got = tree.map_shape_structure(
        lambda s: ("S", s), [(), (1, None), [2.0, 3], {"k": (None,)}, "x", [[1]]]
    )
    assert got == [
        ("S", ()),
        ("S", (1, None)),
        [("S", 2.0), ("S", 3)],
        {"k": ("S", (None,))},
        ("S", "x"),
        [("S", [1])],
    ]
    assert tree.lists_to_tuples([1, [2, {"a": [3]}], (4, [5])]) == (1, (2, {"a": (3,)}), (4, (5,)))
    assert tree.lists_to_tuples(P([1], 2)) == P((1,), 2)
    od = tree.lists_to_tuples(collections.OrderedDict(a=[1]))
    assert type(od) is collections.OrderedDict and od["a"] == (1,)
    assert tree.lists_to_tuples(collections.deque([[1]])) == collections.deque([(1,)])


def test_traverse():
    s = [1, (2, (3,))]
    assert tree.traverse(lambda x: None, s) == s
    top = tree.traverse(lambda x: ("T", x) if isinstance(x, tuple) else None, s)
    assert top == [1, ("T", (2, (3,)))]  # a replaced node's children are not visited
    bottom = tree.traverse(lambda x: ("T", x) if isinstance(x, tuple) else None, s, top_down=False)
    assert bottom == [1, ("T", (2, ("T", (3,))))]  # func sees nodes rebuilt from children
    assert tree.traverse(lambda x: tree.MAP_TO_NONE if x == 2 else None, [1, (2, 3)]) == [
        1,
        (None, 3),
    ]
    order = []
    tree.traverse(lambda x: order.append(x), [1, (2, 3)], top_down=False)
    assert order == [1, 2, 3, (2, 3), [1, (2, 3)]]
    order.clear()
    tree.traverse(lambda x: order.append(x), [1, (2, 3)])
    assert order == [[1, (2, 3)], 1, (2, 3), 2, 3]


def test_public_surface_is_keras_s():
    with open(_api_file()) as f:
        names = [line.split("\t")[0] for line in f if line.strip() and not line.startswith("#")]
    assert sorted(names) == sorted(tree.__all__)
    assert kerasx.tree is tree and all(hasattr(tree, n) for n in names)


def _api_file() -> str:
    import os

    here = os.path.dirname(os.path.abspath(__file__))
    for root in (os.path.join(here, "..", "..", "..", "shared"), os.path.join(here, "..", "..")):
        path = os.path.join(root, "keras_api", "keras.tree.txt")
        if os.path.exists(path):
            return path
    pytest.skip("the keras_api listing is not available here")


# ----------------------------------------------------------------------------- parity


def _structures():
    return [
        None,
        3,
        [],
        [1, None, (2, 3)],
        {"z": 1, "a": [2, {"m": 3, "b": 4}]},
        _od(),
        collections.defaultdict(list, {"z": 1, "a": 2}),
        P(1, [2, 3]),
        collections.deque([1, [2]]),
        [[], {}, ()],
    ]


def _outcome(fn, *args, **kwargs):
    try:
        return ("ok", fn(*args, **kwargs))
    except Exception as e:  # compare the error types
        return ("error", type(e).__name__)


def test_parity_with_keras():
    keras = pytest.importorskip("keras")
    kt = keras.tree
    structs = _structures()
    for s in structs:
        assert tree.flatten(s) == kt.flatten(s)
        assert tree.flatten_with_path(s) == kt.flatten_with_path(s)
        assert tree.is_nested(s) == kt.is_nested(s)
        n = len(kt.flatten(s))
        assert repr(tree.pack_sequence_as(s, list(range(n)))) == repr(
            kt.pack_sequence_as(s, list(range(n)))
        )
        assert repr(tree.lists_to_tuples(s)) == repr(kt.lists_to_tuples(s))
        assert repr(tree.map_structure(str, s)) == repr(kt.map_structure(str, s))
        assert repr(tree.map_structure(str, s, none_is_leaf=False)) == repr(
            kt.map_structure(str, s, none_is_leaf=False)
        )
        for top in (True, False):

            def f(x, kt_mod):
                if isinstance(x, int) and x == 2:
                    return kt_mod.MAP_TO_NONE
                return x * 10 if isinstance(x, int) else None

            assert repr(tree.traverse(lambda x: f(x, tree), s, top)) == repr(
                kt.traverse(lambda x: f(x, kt), s, top)
            )
        for other in structs:
            ours = _outcome(tree.assert_same_structure, s, other)
            theirs = _outcome(kt.assert_same_structure, s, other)
            assert ours[0] == theirs[0], (s, other)
            assert (
                _outcome(tree.assert_same_paths, s, other)[0]
                == (_outcome(kt.assert_same_paths, s, other)[0])
            ), (s, other)
    shapes = [(), (1, None), [2.0, 3], {"k": (None,)}, "x", [[1]], P(1, 2)]
    assert repr(tree.map_shape_structure(str, shapes)) == repr(kt.map_shape_structure(str, shapes))
    for shallow, s in [
        ([1, (2, 3)], [[1, 2], ({"x": 1}, 5)]),
        ({"a": 1, "b": 2}, {"b": [1], "a": 2}),
        ([1, 2], [[1], 2, 3]),
        ([1, [2]], [1, 2]),
        ([1, 2], (3, 4)),
        (_od(), {"a": 1, "z": [2]}),
    ]:
        ours = _outcome(tree.map_structure_up_to, shallow, repr, s)
        theirs = _outcome(kt.map_structure_up_to, shallow, repr, s)
        assert ours[0] == theirs[0], (shallow, s)
        if ours[0] == "ok":
            assert repr(ours[1]) == repr(theirs[1])
