"""The lifecycle state diagram, built with the graphviz package from the analysed spec.

Every node, cluster and edge is added through the graphviz API; labels are Graphviz
HTML-like labels whose text is escaped. Reading guide (also drawn as a legend):

* a state is a rounded box: its name, its identifier and articles, and below a line the
  events that keep the state (internal events: paying, the monthly bill, a notice…),
  calendar events in italics. The in-force modes sit in one cluster (the compound state
  `in_force`), whose shared internal events are listed once, in the cluster;
* final states have a double border; the black dot is the start (the creating event);
* an edge is a state-changing transition: its event, its guard in brackets (shortened to
  a count of conditions when long; the docs give every clause) and its articles. An edge
  from the cluster's border leaves from every mode. The label is a node the line runs
  through (`_labelled_edge`), so no other line crosses it (`geometry` measures that);
* with a highlighted scenario, the edges it travels are red with their step numbers, the
  states it visits are filled, internal steps are listed on a red loop and refused events
  are drawn dashed with ✗, the rule's articles and the step number.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from html import escape, unescape

import graphviz

from yakkan.model.spec import Spec, TransitionDef

from .analysis import DrawnEdge, Lifecycle
from .highlight import PathStep, ScenarioPath
from .i18n import cite_list, event_name, state_name, t
from .marks import COLOR as MARK_COLOR
from .marks import EDGE_STYLE, TAGS, Marks, node_style, tag
from .readable import Readable, pack, wrap

FONT = "Noto Sans CJK JP"
_TAG = re.compile(r"<[^>]*>")
START = "__start__"
GUARD_LIMIT = 44
INTERNAL_WIDTH = 34
COLORS = {
    "state": "#ffffff", "state_border": "#3b4a5a", "final": "#eeeeee", "cluster": "#eef4fb",
    "cluster_border": "#6b8bb0", "edge": "#3b4a5a", "back": "#7a8794", "muted": "#5f6b76",
    "hl": "#c62828", "hl_fill": "#fff3cd", "hl_now": "#ffe08a", "refused": "#c62828",
}  # fmt: skip


def cluster_name(state: str) -> str:
    return f"cluster_{state}"


def anchor_name(state: str) -> str:
    """The node inside a compound's cluster that its edges are attached to."""
    return f"{state}__internal"


class LifecycleDiagram:
    """Builds the graphviz.Digraph of one spec, in one language, optionally highlighted."""

    def __init__(self, spec: Spec, lang: str = "ja", path: ScenarioPath | None = None,
                 legend: bool = True, life: Lifecycle | None = None,
                 links: Callable[[tuple[str, ...]], str | None] | None = None,
                 marks: Marks | None = None) -> None:  # fmt: skip
        self.marks = marks or Marks()  # a review's added / changed transitions and states (marks.py)
        self.links = links  # the docs site: a state's or transition's articles → their place in the terms
        self.spec = spec
        self.lang = lang
        self.path = path
        self.legend = legend
        self.life = life or Lifecycle(spec)
        self.text = Readable(spec)

    # -- the graph ---------------------------------------------------------------------------

    def build(self) -> graphviz.Digraph:
        g = graphviz.Digraph(
            "lifecycle",
            graph_attr={
                "rankdir": "TB", "compound": "true", "newrank": "true", "fontname": FONT,
                "nodesep": "0.45", "ranksep": "0.4", "pad": "0.3", "bgcolor": "white",
                "labelloc": "t", "fontsize": "16", "forcelabels": "true",
            },
            node_attr={"fontname": FONT, "fontsize": "12", "color": COLORS["state_border"]},
            edge_attr={"fontname": FONT, "fontsize": "10", "color": COLORS["edge"],
                       "fontcolor": "#1f2a36", "arrowsize": "0.7"},
        )  # fmt: skip
        title = self._title()
        if title:
            g.attr(label=title)
        g.node(START, label="", shape="circle", style="filled", fillcolor="black",
               width="0.18", height="0.18", fixedsize="true")  # fmt: skip
        placed: set[str] = set()
        for top in self._top_level_order():
            if self.spec.states[top].compound:
                self._add_cluster(g, top, placed)
            else:
                self._add_state(g, top)
                placed.add(top)
        self._add_start_edge(g)
        self._add_edges(g)
        self._add_ranks(g)
        if self.path:
            self._add_path_loops(g)
        if self.legend:
            self._add_legend(g)
        return g

    def _add_ranks(self, g: graphviz.Digraph) -> None:
        """Rank constraints from the analysis: one row per distance, final states last."""
        layers = self.life.layers
        rows: dict[int, list[str]] = {}
        for state in self.life.order:
            rows.setdefault(layers[state], []).append(state)
        for c in self.life.compounds:
            deepest = max(layers[x] for x in self.life.leaves_of(c))
            rows[deepest].append(anchor_name(c))
        ordered = sorted(rows)
        for layer in ordered:
            members = rows[layer]
            if len(members) > 1:
                with g.subgraph() as r:
                    r.attr(rank="same")
                    for m in members:
                        r.node(m)
        for upper, lower in zip(ordered, ordered[1:], strict=False):  # keep the rows in order
            g.edge(rows[upper][0], rows[lower][0], style="invis", weight="0")

    def _top_level_order(self) -> list[str]:
        out: dict[str, None] = {}
        for leaf in self.life.order:
            out[self.life.top(leaf)] = None
        return list(out)

    # -- states ------------------------------------------------------------------------------

    def _add_state(self, g: graphviz.Digraph, state: str) -> None:
        d = self.spec.states[state]
        fill = COLORS["final"] if d.final else COLORS["state"]
        penwidth = "1.2"
        if self.path and state in self.path.visited:
            fill = COLORS["hl_now"] if state == self.path.final_state else COLORS["hl_fill"]
            penwidth = "2.2" if state == self.path.final_state else "1.6"
        g.node(
            state, label=self._state_label(state), shape="box", style="rounded,filled",
            fillcolor=fill, peripheries="2" if d.final else "1", penwidth=penwidth,
            margin="0.12,0.06", tooltip=f"{d.ja} / {d.en} ({state})", id=f"state_{state}",
            **self._link(d.articles), **(node_style(self.marks.states[state]) if state in self.marks.states else {}),
        )  # fmt: skip

    def _link(self, articles: tuple[str, ...]) -> dict[str, str]:
        """A link to the first of `articles` in the terms (the docs site's diagrams only)."""
        href = self.links(articles) if self.links and articles else None
        return {"URL": href, "target": "_top"} if href else {}

    def _state_label(self, state: str) -> str:
        d = self.spec.states[state]
        name = state_name(self.spec, state, self.lang)
        sub = state if self.lang == "ja" else d.ja
        rows = [f'<TR><TD><B>{escape(name)}</B></TD></TR>',
                f'<TR><TD><FONT POINT-SIZE="9" COLOR="{COLORS["muted"]}">'
                f'{escape(sub)}{escape(self._cites(d.articles))}</FONT></TD></TR>']  # fmt: skip
        if state in self.marks.states:
            rows.insert(1, f"<TR><TD>{tag(self.marks.states[state], self.lang)}</TD></TR>")
        internal = self.life.internals.get(state, ())
        if internal:
            rows.append("<HR/>")
            rows += self._internal_rows(internal)
        return _table(rows)

    def _cites(self, articles: tuple[str, ...]) -> str:
        return f"  [{cite_list(articles)}]" if articles else ""

    def _internal_rows(self, transitions: tuple[TransitionDef, ...]) -> list[str]:
        names: dict[str, bool] = {}
        marked: dict[str, list[str]] = {}
        for tr in transitions:
            names[tr.event] = self.spec.events[tr.event].by == "calendar"
            marked.setdefault(tr.event, []).append(tr.id)
        kinds = {e: self.marks.strongest(ids) for e, ids in marked.items()}
        items = [event_name(self.spec, e, self.lang) for e in names]
        italic = {event_name(self.spec, e, self.lang) for e, cal in names.items() if cal}
        labels = {event_name(self.spec, e, self.lang): (k, event_name(self.spec, e, self.lang) + TAGS[self.lang][k])
                  for e, k in kinds.items() if k}  # an internal event a review marks, packed with its tag
        tagged = {label: (name, k) for name, (k, label) in labels.items()}
        sep = "・" if self.lang == "ja" else ", "
        rows = []
        for line in pack([labels[x][1] if x in labels else x for x in items], INTERNAL_WIDTH, sep):
            html = escape(sep).join(self._internal_item(p, italic, tagged) for p in line.split(sep))
            rows.append(f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="9">{html}</FONT></TD></TR>')
        return rows

    def _internal_item(self, item: str, italic: set[str], tagged: dict[str, tuple[str, str]]) -> str:
        """One internal event as drawn: italic when the calendar raises it; in its mark's
        colour, bold, with the tag when a review marks it (marks.py)."""
        name, kind = tagged.get(item, (item, None))
        html = f"<I>{escape(name)}</I>" if name in italic else escape(name)
        if not kind:
            return html
        return f'<FONT COLOR="{MARK_COLOR[kind]}"><B>{html}</B></FONT>{tag(kind, self.lang)}'

    def _add_cluster(self, g: graphviz.Digraph, state: str, placed: set[str]) -> None:
        d = self.spec.states[state]
        name = state_name(self.spec, state, self.lang)
        sub = state if self.lang == "ja" else d.ja
        label = (f'<<B>{escape(name)}</B>  <FONT POINT-SIZE="9" COLOR="{COLORS["muted"]}">'
                 f'{escape(sub)}{escape(self._cites(d.articles))}</FONT>>')  # fmt: skip
        with g.subgraph(name=cluster_name(state)) as c:
            c.attr(label=label, style="rounded,filled", fillcolor=COLORS["cluster"],
                   color=COLORS["cluster_border"], fontname=FONT, fontsize="13",
                   labeljust="l", margin="14")  # fmt: skip
            if state in self.marks.states:
                c.attr(**node_style(self.marks.states[state]))
            shared = self.life.internals.get(state, ())
            rows = [f'<TR><TD><FONT POINT-SIZE="9" COLOR="{COLORS["muted"]}">'
                    f'{escape(t(self.lang, "internal_all"))}</FONT></TD></TR>', "<HR/>"]  # fmt: skip
            rows += self._internal_rows(shared) if shared else []
            c.node(anchor_name(state), label=_table(rows), shape="box", style="rounded,dashed",
                   color=COLORS["cluster_border"], margin="0.08,0.04")  # fmt: skip
            for leaf in self.life.order:
                if leaf in self.life.leaves_of(state) and leaf not in placed:
                    if self.spec.states[leaf].compound:
                        continue
                    self._add_state(c, leaf)
                    placed.add(leaf)

    # -- edges -------------------------------------------------------------------------------

    def _node_of(self, state: str) -> str:
        return anchor_name(state) if state in self.life.compounds else state

    def _add_start_edge(self, g: graphviz.Digraph) -> None:
        ev = self.spec.creating_event
        first = [s.n for s in (self.path.steps if self.path else ()) if s.source is None and s.accepted]
        label = self._edge_lines(ev.name, None, ev.articles, first)
        attrs = {"color": COLORS["hl"], "penwidth": "2.4", "fontcolor": COLORS["hl"]} if first else {}
        self._labelled_edge(g, START, self.spec.initial_state, "edge_start", label, attrs)

    def _edge_groups(self) -> list[list[DrawnEdge]]:
        """Drawn edges with the same ends, merged into one line with stacked labels."""
        groups: dict[tuple[str, str], list[DrawnEdge]] = {}
        for edge in self.life.edges:
            groups.setdefault((edge.source, edge.target), []).append(edge)
        return list(groups.values())

    def _add_edges(self, g: graphviz.Digraph) -> None:
        shown: set[str] = set()
        for group in self._edge_groups():
            lines: list[str] = []
            hrefs: list[str | None] = []  # each line's link: its transition's first article
            numbers_all: list[int] = []
            for edge in group:
                tr = edge.transition
                numbers = [s.n for s in self.path.steps if s.edge == edge.key] if self.path else []
                numbers_all += numbers
                if tr.id in shown:  # the same transition from another state: its name suffices
                    more = self._edge_lines(tr.event, None, (), numbers)
                else:
                    shown.add(tr.id)
                    guard = self.text.guard(tr, self.lang, GUARD_LIMIT) if tr.guard else None
                    more = self._edge_lines(tr.event, guard, tr.articles, numbers, self._scheduler_line(tr.event))
                    if tr.id in self.marks.transitions:  # a review's mark: the tag after the event's name
                        more[0] += " " + tag(self.marks.transitions[tr.id], self.lang)
                lines += more
                hrefs += [self._link(tr.articles).get("URL")] * len(more)
            first = group[0]
            several = len({e.transition.articles for e in group}) > 1  # each line links to its own article
            attrs: dict[str, str] = {} if several else self._link(first.transition.articles)
            if first.from_compound:
                attrs["ltail"] = cluster_name(first.source)
            if first.back:
                attrs["color"] = COLORS["back"]
            mark = self.marks.strongest([e.transition.id for e in group])
            if mark:
                attrs.update(EDGE_STYLE[mark])
            if numbers_all:
                attrs.update(color=COLORS["hl"], penwidth="2.4", fontcolor=COLORS["hl"])
            elif self.path:
                attrs.update(color="#b8c0c8", fontcolor="#8a949e")
            src, dst = self._rows(first)
            self._labelled_edge(g, self._node_of(first.source), first.target,
                                "edge_" + first.key.replace(":", "__"), lines, attrs, flat=src == dst,
                                up=dst < src, inside=self._shared_cluster(first),
                                hrefs=hrefs if several else None)  # fmt: skip

    def _labelled_edge(self, g: graphviz.Digraph, tail: str, head: str, name: str, lines: list[str],
                       attrs: dict[str, str], flat: bool = False, up: bool = False,
                       inside: str | None = None, constraint: bool = True,
                       hrefs: list[str | None] | None = None) -> None:  # fmt: skip
        """An edge drawn as two halves through a node that holds its label.

        Graphviz routes every line around the nodes, so a line never runs through another
        transition's label, and the label sits on its own line (a plain edge label, or an
        `xlabel`, may be crossed by the lines drawn after it). The label node `name` carries
        the edge's id and link; the halves are `name-in` (no arrowhead) and `name-out`. A
        flat edge (its ends on one row) dips to its label in the row below: tail → label ←
        head, the second half drawn backwards so that its arrow points at the head. An edge
        going up (back to an earlier row) is declared from its head (drawn backwards), so
        that its label sits between the two rows, not below the lower one.
        """
        ltail = attrs.pop("ltail", None)
        tip = " / ".join(unescape(_TAG.sub("", x)) for x in lines)  # the hover text: the label's, plain
        line = {k: v for k, v in attrs.items() if k != "fontcolor"} | {"tooltip": tip}
        node = {k: v for k, v in attrs.items() if k in ("URL", "target", "fontcolor")}
        where = g.subgraph(name=cluster_name(inside)) if inside else contextlib.nullcontext(g)
        with where as c:
            c.node(name, label=_lines(lines, hrefs), shape="plaintext", margin="0.08,0.05", fontsize="10", id=name,
                   tooltip=tip, **node)  # fmt: skip
        first = {"ltail": ltail} if ltail else {}
        if up:
            g.edge(name, tail, id=f"{name}-in", dir="none", **({"lhead": ltail} if ltail else {}), **line)
            g.edge(head, name, id=f"{name}-out", dir="back", **line)
            return
        g.edge(tail, name, id=f"{name}-in", arrowhead="none", **first, **line)
        if flat:
            g.edge(head, name, id=f"{name}-out", dir="back", **line)
        else:
            g.edge(name, head, id=f"{name}-out", **line, **({} if constraint else {"constraint": "false"}))

    def _shared_cluster(self, edge: DrawnEdge) -> str | None:
        """The compound state both ends of `edge` are modes of (its label is drawn inside)."""
        if edge.from_compound:
            return None
        tops = {self.life.top(edge.source), self.life.top(edge.target)}
        top = tops.pop() if len(tops) == 1 else None
        return top if top in self.life.compounds else None

    def _rows(self, edge: DrawnEdge) -> tuple[int, int]:
        """The rows (`_add_ranks`) of `edge`'s tail node and head: a compound's edges leave
        from its anchor, on the row of its deepest mode."""
        layers = self.life.layers
        src = max(layers[x] for x in self.life.leaves_of(edge.source))
        return src, layers[edge.target]

    def _scheduler_line(self, event: str) -> list[str] | None:
        """For a calendar event, the events that set the date it fires on (name and article)."""
        sched = self.life.schedulers.get(event)
        if not sched or self.spec.events[event].by != "calendar":
            return None
        return list(dict.fromkeys(
            f"{event_name(self.spec, s.event, self.lang)} {cite_list(s.articles[:1])}" for s in sched
        ))  # fmt: skip

    def _sep(self) -> str:
        return "・" if self.lang == "ja" else ", "

    def _edge_lines(self, event: str, guard: str | None, articles: tuple[str, ...],
                    numbers: list[int], extra: list[str] | None = None) -> list[str]:  # fmt: skip
        name = escape(event_name(self.spec, event, self.lang))
        if self.spec.events[event].by == "calendar":
            name = f"<I>{name}</I>"
        lines = [f'<B>{escape(", ".join(map(str, numbers)))}.</B> {name}' if numbers else name]
        if guard:
            lines.append(escape(f"[{guard}]"))
        if articles:
            lines.append(f'<FONT POINT-SIZE="9" COLOR="{COLORS["muted"]}">'
                         f"{escape(cite_list(articles))}</FONT>")  # fmt: skip
        if extra:
            small = f'<FONT POINT-SIZE="8" COLOR="{COLORS["muted"]}">'
            lines.append(f"{small}{escape(t(self.lang, 'end_date_set_by'))}:</FONT>")
            for part in pack(extra, 30, self._sep()):
                lines.append(f'<FONT POINT-SIZE="8" COLOR="{COLORS["muted"]}">{escape(part)}</FONT>')
        return lines

    # -- the highlighted path -------------------------------------------------------------

    def _add_path_loops(self, g: graphviz.Digraph) -> None:
        assert self.path is not None
        internal: dict[str, list[PathStep]] = {}
        refused_loops: dict[str, list[PathStep]] = {}
        for s in self.path.steps:
            if s.source is None:
                continue
            if s.accepted and s.internal:
                internal.setdefault(s.source, []).append(s)
            elif not s.accepted and s.target == s.source:
                refused_loops.setdefault(s.source, []).append(s)
            elif not s.accepted and s.target:
                self._labelled_edge(g, s.source, s.target, f"refused_{s.n}", self._refused_label([s]),
                                    {"style": "dashed", "color": COLORS["refused"], "penwidth": "1.6",
                                     "fontcolor": COLORS["refused"]}, constraint=False)  # fmt: skip
        for state in sorted(internal, key=self.life.order.index):
            steps = internal[state]
            rows = [f"<B>{s.n}.</B> {escape(event_name(self.spec, s.event, self.lang))}" for s in steps]
            if len(rows) > 12:
                rows = rows[:11] + [f"… (+{len(rows) - 11})"]
            self._labelled_edge(g, state, state, f"loop_{state}", rows,
                                {"color": COLORS["hl"], "fontcolor": COLORS["hl"], "penwidth": "1.8"},
                                flat=True, inside=self._cluster_of(state))  # fmt: skip
        for state in sorted(refused_loops, key=self.life.order.index):
            self._labelled_edge(g, state, state, f"refused_loop_{state}", self._refused_label(refused_loops[state]),
                                {"style": "dashed", "color": COLORS["refused"], "fontcolor": COLORS["refused"],
                                 "penwidth": "1.6"}, flat=True, inside=self._cluster_of(state))  # fmt: skip

    def _cluster_of(self, state: str) -> str | None:
        top = self.life.top(state)
        return top if top in self.life.compounds else None

    def _refused_label(self, steps: list[PathStep]) -> list[str]:
        rows = []
        for s in steps:
            name = escape(event_name(self.spec, s.event, self.lang))
            arts = escape(cite_list(s.articles))
            rows.append(f"<B>✗ {s.n}.</B> {name} [{arts}]")
            rule = s.rule_in(self.lang)
            if rule:  # in full, wrapped: a refusal's reason is what the reader looks for
                for line in wrap(rule, 56):
                    rows.append(f'<FONT POINT-SIZE="8">{escape(line)}</FONT>')
        return rows

    def _title(self) -> str | None:
        if not self.path:
            return None
        p = self.path
        head = escape(f"{p.name} — {t(self.lang, 'as_of', day=p.until_date)}: "
                      f"{state_name(self.spec, p.final_state, self.lang) if p.final_state else '—'}")  # fmt: skip
        lines = [f"<B>{head}</B>"]
        if p.description and self.lang == "en":  # a scenario's description is the simulator's English
            for part in pack(without_paths(p.description).split(), 90, " "):
                lines.append(f'<FONT POINT-SIZE="10">{escape(part)}</FONT>')
        return "<" + "<BR/>".join(lines) + ">"

    # -- legend ----------------------------------------------------------------------------

    def _add_legend(self, g: graphviz.Digraph) -> None:
        keys = ("legend_final", "legend_internal", "legend_italic", "legend_guard", "legend_cite")
        rows = [f'<TR><TD ALIGN="LEFT"><B>{escape(t(self.lang, "legend"))}</B></TD></TR>']
        rows += [f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="9">{escape(t(self.lang, k))}</FONT></TD></TR>'
                 for k in keys]  # fmt: skip
        g.node("__legend__", label=_table(rows), shape="box", style="rounded",
               color="#b8c0c8", margin="0.1,0.05")  # fmt: skip


def _lines(lines: list[str], hrefs: list[str | None] | None = None) -> str:
    """An edge's label: one table row a line, so that lines of mixed sizes keep a full line's
    height (with `<BR/>`, Graphviz sets lines one point size apart and CJK glyphs touch).
    With `hrefs`, each line links to its own place (a label naming several transitions)."""
    cells = []
    for i, line in enumerate(lines):
        href = hrefs[i] if hrefs else None
        link = f' HREF="{escape(href)}" TARGET="_top" TITLE="{escape(_TAG.sub("", line))}"' if href else ""
        cells.append(f"<TR><TD{link}>{line}</TD></TR>")
    return _table(cells)


def _table(rows: list[str]) -> str:
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
            + "".join(rows) + "</TABLE>>")  # fmt: skip


def lifecycle_digraph(spec: Spec, lang: str = "ja", path: ScenarioPath | None = None,
                      legend: bool = True) -> graphviz.Digraph:  # fmt: skip
    """The lifecycle diagram of `spec` as a graphviz.Digraph (see the module docstring)."""
    return LifecycleDiagram(spec, lang, path, legend).build()


_ABS_PATH = re.compile(r"(?<![\w.~])(?:[A-Za-z]:)?[/\\](?:[^\s/\\]+[/\\])+([^\s/\\]+)")


def without_paths(text: str) -> str:
    """`text` with each absolute path cut to its file name: a caption never shows the
    folders of the machine that made it (`/tmp/run/P13.yaml` → `P13.yaml`)."""
    return _ABS_PATH.sub(lambda m: m.group(1), text)
