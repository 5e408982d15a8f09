"""The handle every ``register_*hook`` returns (tensor hooks in autograd, module hooks in nn): the
hooks live in an ordered dict, and the handle takes its hook out again."""

from __future__ import annotations

from collections import OrderedDict


class RemovableHandle:
    """What a ``register_*hook`` returns: ``remove()`` takes the hook out again (a second
    ``remove()`` does nothing); also a context manager that removes it on exit."""

    _next_id = 0

    def __init__(self, hooks: OrderedDict, hook, prepend: bool = False):
        self.hooks = hooks
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1
        hooks[self.id] = hook
        if prepend:
            hooks.move_to_end(self.id, last=False)

    def remove(self) -> None:
        self.hooks.pop(self.id, None)

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc) -> None:
        self.remove()
