/**
 * The state machine as a laid-out graph, from the very definition the stack deploys (buildDefinition),
 * laid out by dagre so the page only draws boxes and polylines where it is told.
 *
 * dagre cannot attach edges to a cluster itself, so a Parallel state becomes a cluster holding its
 * branches plus two small nodes of its own: its name at the top (where edges arrive, and what a click
 * opens) and a join at the bottom (where the edges leave), as the Step Functions console draws it.
 */
import dagre from '@dagrejs/dagre';
import type { AslState, AslStateMachine } from '../../workflows/asl.js';
import type { StateRun } from '../../workflows/local/execution-record.js';

export type EdgeKind = 'next' | 'choice' | 'default' | 'catch' | 'branch';

export interface GraphNode {
  /** A state name, or START / END, or `<parallel>#join`. */
  id: string;
  label: string;
  /** The ASL type, or Start / End / Join / Cluster. */
  type: string;
  /** The state this node opens on click (a Parallel's header and cluster both open the Parallel). */
  state?: string;
  parent?: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface GraphEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  label?: string;
  points: Array<{ x: number; y: number }>;
}

export interface StateGraph {
  width: number;
  height: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** The graph of one recorded execution: each edge says whether that run went along it. */
export interface ExecutionGraph extends StateGraph {
  edges: Array<GraphEdge & { taken: boolean }>;
}

export const START = 'START';
export const END = 'END';
const join = (parallel: string) => `${parallel}#join`;
const cluster = (parallel: string) => `${parallel}#cluster`;

const NODE_HEIGHT = 34;
/** A monospace-ish estimate: the page draws labels in a 13 px system font. */
function labelWidth(label: string): number {
  return Math.max(90, Math.round(label.length * 7.6 + 28));
}

interface PendingEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  label?: string;
}

/** Edges into a Parallel (or a Map) land on its header node (its name); edges out of it leave from its join. */
function exitOf(name: string, state: AslState): string {
  return state.Type === 'Parallel' || state.Type === 'Map' ? join(name) : name;
}

function transitions(name: string, state: AslState): PendingEdge[] {
  const from = exitOf(name, state);
  const out: PendingEdge[] = [];
  if ('Next' in state && state.Next) out.push({ from, to: state.Next, kind: 'next' });
  if (state.Type === 'Choice') {
    for (const c of state.Choices) out.push({ from, to: c.Next, kind: 'choice' });
    if (state.Default) out.push({ from, to: state.Default, kind: 'default', label: 'Default' });
  }
  if ((state.Type === 'Task' || state.Type === 'Parallel' || state.Type === 'Map') && state.Catch) {
    // One edge per target: several catchers to the same state are one arrow labelled with all their errors.
    const byTarget = new Map<string, string[]>();
    for (const c of state.Catch) byTarget.set(c.Next, [...(byTarget.get(c.Next) ?? []), ...c.ErrorEquals]);
    for (const [to, errors] of byTarget) out.push({ from, to, kind: 'catch', label: `Catch ${errors.join(', ')}` });
  }
  return out;
}

export function layoutDefinition(definition: AslStateMachine): StateGraph {
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 30, ranksep: 42, edgesep: 12, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  const meta = new Map<string, Omit<GraphNode, 'x' | 'y' | 'width' | 'height'>>();
  const edges: PendingEdge[] = [];

  const addNode = (id: string, label: string, type: string, state: string | undefined, parent?: string, width = labelWidth(label), height = NODE_HEIGHT) => {
    g.setNode(id, { width, height });
    if (parent) g.setParent(id, parent);
    meta.set(id, { id, label, type, state, parent });
  };

  const addMachine = (machine: AslStateMachine, parent?: string): { start: string; ends: string[] } => {
    const ends: string[] = [];
    for (const [name, state] of Object.entries(machine.States)) {
      if (state.Type === 'Parallel' || state.Type === 'Map') {
        // A Map is drawn as a cluster around the one processor it runs per item.
        const c = cluster(name);
        g.setNode(c, {});
        if (parent) g.setParent(c, parent);
        meta.set(c, { id: c, label: name, type: 'Cluster', state: name, parent });
        addNode(name, name, state.Type, name, c);
        addNode(join(name), '', 'Join', name, c, 14, 14);
        for (const branch of state.Type === 'Parallel' ? state.Branches : [state.ItemProcessor]) {
          const b = addMachine(branch, c);
          edges.push({ from: name, to: b.start, kind: 'branch' });
          for (const e of b.ends) edges.push({ from: e, to: join(name), kind: 'branch' });
        }
      } else {
        addNode(name, name, state.Type, name, parent);
      }
      edges.push(...transitions(name, state));
      const terminal = state.Type === 'Succeed' || state.Type === 'Fail' || ('End' in state && state.End === true);
      if (terminal) ends.push(exitOf(name, state));
    }
    return { start: machine.StartAt, ends };
  };

  addNode(START, 'Start', 'Start', undefined, undefined, 64, 28);
  const top = addMachine(definition);
  addNode(END, 'End', 'End', undefined, undefined, 64, 28);
  edges.unshift({ from: START, to: top.start, kind: 'next' });
  for (const e of top.ends) edges.push({ from: e, to: END, kind: 'next' });

  edges.forEach((e, i) => {
    if (!g.hasNode(e.to)) throw new Error(`The definition's ${e.from} goes to ${e.to}, which is not a state.`);
    g.setEdge(e.from, e.to, { label: e.label }, `e${i}`);
  });
  dagre.layout(g);

  const nodes: GraphNode[] = [];
  for (const id of g.nodes()) {
    const n = g.node(id) as { x: number; y: number; width: number; height: number };
    nodes.push({ ...meta.get(id)!, x: n.x, y: n.y, width: n.width, height: n.height });
  }
  const laid: GraphEdge[] = edges.map((e, i) => {
    const points = (g.edge({ v: e.from, w: e.to, name: `e${i}` }) as { points?: Array<{ x: number; y: number }> }).points ?? [];
    return { ...e, points: points.map((p) => ({ x: p.x, y: p.y })) };
  });
  const { width = 0, height = 0 } = g.graph() as { width?: number; height?: number };
  return { width, height, nodes, edges: laid };
}

/** The state a node belongs to: a Parallel's join and cluster are the Parallel's. */
const stateOf = (nodeId: string): string => (nodeId === START || nodeId === END ? nodeId : nodeId.split('#')[0]);

/**
 * Marks the edges a run took. The engine's log names no predecessor, so an edge counts as taken when its
 * target ran and, of the states that can lead there, its source is the one that finished last before the
 * target started. The last visit of each state is the one that counts (a retried state that then
 * succeeded took its success edge).
 */
export function withTakenEdges(graph: StateGraph, states: ReadonlyArray<Pick<StateRun, 'name' | 'type' | 'startMs' | 'durationMs'>>): ExecutionGraph {
  const runs = new Map(states.map((r) => [r.name, r]));
  const endOf = (name: string): number | undefined => {
    const r = runs.get(name);
    return r ? r.startMs + (r.durationMs ?? 0) : undefined;
  };
  const predecessor = new Map<string, { from: string; end: number }>();
  for (const e of graph.edges) {
    const from = stateOf(e.from);
    const to = stateOf(e.to);
    if (e.kind === 'branch' || to === END) continue;
    const target = runs.get(to);
    const fromEnd = from === START ? 0 : endOf(from);
    // 1 ms of slack: the log's timestamps are whole milliseconds, so a source can seem to end just after its target started.
    if (!target || fromEnd === undefined || fromEnd > target.startMs + 1) continue;
    const best = predecessor.get(to);
    if (!best || fromEnd >= best.end) predecessor.set(to, { from, end: fromEnd });
  }
  const taken = (e: GraphEdge): boolean => {
    const from = stateOf(e.from);
    const to = stateOf(e.to);
    if (e.kind === 'branch') return runs.has(from) && (runs.has(to) || e.to.endsWith('#join'));
    if (to === END) return runs.get(from)?.type === 'Succeed';
    return predecessor.get(to)?.from === from;
  };
  return { ...graph, edges: graph.edges.map((e) => ({ ...e, taken: taken(e) })) };
}
