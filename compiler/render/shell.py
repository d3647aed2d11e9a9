"""Cheaper page rendering with Jinja2, byte for byte what ``Template.render`` gives.

Two things cost a page more than its own content:

* ``Context.call``: every call a template makes (``d.get('status')``, ``link.a(x)``, a
  Python helper) goes through it, and it asks each callable whether it wants the
  context passed in. ``FastContext`` answers that once per *type* for builtin
  methods and plain functions and methods without a ``pass_*`` mark, and otherwise
  defers to Jinja. About 160 calls a term page.
* The shell of ``base.html``: each page of a child template runs the base's body,
  and every chunk of the page's blocks travels up through two generators. The base's
  text outside its blocks depends only on a few variables (the relative ``root`` and
  the site title): ``Shell`` renders it once per value of those, with markers in
  place of the blocks, and a page is its blocks rendered by Jinja itself, joined
  with the pieces between the markers. Nothing is escaped here: the pieces come
  from Jinja, with the same variables, so they are the same bytes.

A template takes the shell path only when its top level is ``{% extends %}`` and
``{% block %}`` definitions (no imports or assignments whose names the blocks would
read from the context); any other template is rendered the usual way.
"""
from __future__ import annotations

import types
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping

import jinja2
from jinja2 import meta, nodes
from jinja2.runtime import Context

_PLAIN_TYPES = (types.BuiltinMethodType, types.BuiltinFunctionType, types.FunctionType, types.MethodType)


class FastContext(Context):
    """A ``Context`` whose ``call`` skips the ``pass_context`` checks for callables that have none."""

    def call(__self, __obj: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's signature
        # Jinja asks ``hasattr(obj, "jinja_pass_arg")`` of the object and of its ``__call__``;
        # the ``__call__`` of these types is a method-wrapper, which never has it.
        if type(__obj) in _PLAIN_TYPES and not hasattr(__obj, "jinja_pass_arg"):
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:
                return __self.environment.undefined(
                    "value was undefined because a callable raised a StopIteration exception")
        return Context.call(__self, __obj, *args, **kwargs)


_MARK = "\x00jinja-block:{}\x00"


@dataclass(frozen=True)
class Layout:
    """How a child template is put together: its parent and, per block, the functions Jinja would use.

    ``blocks`` is what ``Context.blocks`` holds once the child's body has run: for each
    name, the child's function first, then the parent's (``super()`` reads the second).
    """

    parent: jinja2.Template
    blocks: Mapping[str, list[Callable[[Context], Iterator[str]]]]
    shell_vars: frozenset[str]  # the variables the parent's text outside blocks reads


def _body_is_blocks(ast: nodes.Template) -> str | None:
    """The parent's name when the template is one ``{% extends "name" %}`` plus blocks, else None."""
    parent = None
    for node in ast.body:
        if isinstance(node, nodes.Extends) and isinstance(node.template, nodes.Const) and parent is None:
            parent = node.template.value
        elif isinstance(node, nodes.Block):
            continue
        elif isinstance(node, nodes.Output) and parent is not None and all(
                isinstance(n, nodes.TemplateData) and not n.data.strip() for n in node.nodes):
            continue  # white space after the extends: never output by a child template
        else:
            return None
    return parent if isinstance(parent, str) else None


_NAMING = (nodes.Extends, nodes.Assign, nodes.AssignBlock, nodes.Import, nodes.FromImport, nodes.Macro,
           nodes.Include, nodes.CallBlock)


def _plain_parent(node: nodes.Node) -> bool:
    """True when the parent's text outside its blocks names nothing the blocks could read.

    A parent that extends again, sets, imports, defines macros or includes other
    templates outside its blocks is rendered the usual way."""
    for child in node.iter_child_nodes():
        if isinstance(child, nodes.Block):
            continue
        if isinstance(child, _NAMING) or not _plain_parent(child):
            return False
    return True


def _source_ast(env: jinja2.Environment, name: str) -> nodes.Template:
    source = env.loader.get_source(env, name)[0] if env.loader is not None else ""
    return env.parse(source)


def layout_of(env: jinja2.Environment, name: str) -> Layout | None:
    """The ``Layout`` of template ``name`` when the shell path can render it, else None."""
    parent_name = _body_is_blocks(_source_ast(env, name))
    if parent_name is None:
        return None
    parent_ast = _source_ast(env, parent_name)
    if not _plain_parent(parent_ast):
        return None
    child, parent = env.get_template(name), env.get_template(parent_name)
    blocks: dict[str, list[Callable[[Context], Iterator[str]]]] = {}
    for source in (child, parent):
        for block, func in source.blocks.items():
            blocks.setdefault(block, []).append(func)
    return Layout(parent, blocks, frozenset(meta.find_undeclared_variables(parent_ast)))


class Shell:
    """The parent's text between its top-level blocks, for one set of shell variables."""

    def __init__(self, layout: Layout, shell_vars: Mapping[str, Any]):
        parent = layout.parent
        ctx = parent.new_context(dict(shell_vars))
        ctx.blocks = {name: [_marker(name)] for name in layout.blocks}
        text = parent.environment.concat(parent.root_render_func(ctx))  # type: ignore[attr-defined]
        self.pieces: list[str] = []
        self.order: list[str] = []
        rest = text
        while True:
            start = rest.find("\x00jinja-block:")
            if start < 0:
                break
            end = rest.index("\x00", start + 1)
            self.pieces.append(rest[:start])
            self.order.append(rest[start + len("\x00jinja-block:"):end])
            rest = rest[end + 1:]
        self.pieces.append(rest)
        # A value holding a marker would confuse the split: such a shell is never used.
        self.ok = len(self.order) == len(set(self.order)) and set(self.order) <= set(layout.blocks) \
            and all(_MARK.format(n) in text for n in self.order) and text.count("\x00") == 2 * len(self.order)

    def fill(self, ctx: Context) -> str:
        """The page: each top-level block rendered by Jinja in ``ctx``, between the pieces."""
        out = [self.pieces[0]]
        blocks = ctx.blocks
        for name, piece in zip(self.order, self.pieces[1:]):
            out.extend(blocks[name][0](ctx))
            out.append(piece)
        return "".join(out)


def _marker(name: str) -> Callable[[Context], Iterator[str]]:
    def block(ctx: Context) -> Iterator[str]:
        yield _MARK.format(name)
    return block


class PageRenderer:
    """Renders templates through their ``Shell`` when they allow it, as ``Template.render`` does otherwise.

    The environment's globals are read once per template (copying the template's
    ChainMap of them cost ~10 us a page): set them before the first page."""

    def __init__(self, env: jinja2.Environment):
        self.env = env
        self._templates: dict[str, tuple[jinja2.Template, Layout | None, dict[str, Any], tuple[str, ...]]] = {}
        self._shells: dict[tuple[str, tuple[Any, ...]], Shell | None] = {}

    def render(self, name: str, context: dict[str, Any]) -> str:
        made = self._templates.get(name)
        if made is None:
            template = self.env.get_template(name)
            layout = layout_of(self.env, name)
            made = self._templates[name] = (template, layout, dict(template.globals),
                                            tuple(sorted(layout.shell_vars)) if layout is not None else ())
        template, layout, known, names = made
        # What ``template.new_context(context)`` makes, from the globals read once.
        ctx = self.env.context_class(self.env, {**known, **context}, name, {}, known)
        shell = self._shell(layout, names, context) if layout is not None else None
        try:
            if shell is None or layout is None:
                ctx.blocks = {k: [v] for k, v in template.blocks.items()}
                return self.env.concat(template.root_render_func(ctx))  # type: ignore[attr-defined]  # = render()
            ctx.blocks = layout.blocks  # type: ignore[assignment]  # read only while blocks render
            return shell.fill(ctx)
        except Exception:
            self.env.handle_exception()

    def _shell(self, layout: Layout, names: tuple[str, ...], context: Mapping[str, Any]) -> Shell | None:
        try:
            key = (layout.parent.name or "", tuple([context[k] for k in names]))
            shell = self._shells.get(key, False)
        except (KeyError, TypeError):
            return None  # a variable the shell needs is missing or not a plain value: Jinja's path
        if shell is False:
            shell = Shell(layout, {k: context[k] for k in names})
            shell = self._shells[key] = shell if shell.ok else None
        return shell


__all__ = ["FastContext", "PageRenderer", "Shell", "Layout", "layout_of"]
