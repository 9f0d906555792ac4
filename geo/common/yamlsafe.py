"""YAML read with a bound on alias expansion ("billion laughs").

``yaml.safe_load`` keeps an alias as a reference to its anchored node, so a 1 KB document of
nine anchors each listing the previous one nine times loads quickly, but whatever walks the
result as a tree (validation, JSON, the store) visits 10⁹ nodes. :func:`load_yaml` first
composes the document and counts the nodes it stands for with every alias expanded (each
node counted once per path to it, computed without expanding), and refuses a document
beyond :data:`MAX_EXPANDED_NODES` before anything is constructed.
"""

from __future__ import annotations

from typing import Any

import yaml

#: Most nodes a document may stand for with its aliases expanded (a zone definition of a
#: large gemeente has a few thousand; the vocabulary a few hundred).
MAX_EXPANDED_NODES = 1_000_000


class YamlExpansionError(ValueError):
    """A YAML document whose aliases expand to more than the bound; ``nodes`` is how many
    (at least) it stands for."""

    def __init__(self, nodes: int, limit: int) -> None:
        super().__init__(
            f"its aliases (*name) expand to more than {limit:,} nodes ({nodes:,}); write the "
            "values out, or use fewer nested aliases"
        )
        self.nodes = nodes


def expanded_size(root: yaml.Node | None) -> int:
    """How many nodes ``root`` stands for with every alias expanded (memoised, no recursion:
    a node reached by several aliases is counted once per path, its size computed once)."""
    if root is None:
        return 0
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if children_done or not children:
            sizes[id(node)] = 1 + sum(sizes[id(c)] for c in children)
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def load_yaml(text: str, *, limit: int = MAX_EXPANDED_NODES) -> Any:
    """``yaml.safe_load(text)``, refused with :class:`YamlExpansionError` when its aliases
    expand beyond ``limit`` nodes. YAML errors (and RecursionError on deep nesting) are the
    caller's to report, as for ``safe_load``."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    size = expanded_size(root)
    if size > limit:
        raise YamlExpansionError(size, limit)
    return yaml.safe_load(text)
