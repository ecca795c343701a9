"""Per-call dump rules, kept in marshmallow 4's Context: who is looking, in which time zone,
which notifications are pinned.

A field that depends on the caller reads its rule with `rule()`. With no rule set it takes
the public default, the one live events use (they go to whole rooms): no attendance rows,
no local times, nothing pinned. Rules are plain values and callables, so schemas never
import the services that decide them.
"""

from marshmallow.experimental.context import Context


def rule(name, default=None):
    """The rule `name` of the dump in progress, or `default` outside any."""
    return Context.get({}).get(name, default)


def dump_with(schema, obj, **rules):
    """`schema`'s dump of `obj` under `rules` (e.g. pinned=ids, tz="Europe/Berlin")."""
    with Context(rules):
        return schema.dump(obj)
