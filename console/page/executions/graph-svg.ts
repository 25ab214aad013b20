/**
 * The state machine of one execution as SVG: boxes and polylines where the server's layout put them,
 * each state coloured by its outcome and each edge the run took (the server decides which) marked.
 */
import type { ExecutionRecord, ExecutionResponse, StateRun } from '../../server/api.js';
import { s } from '../dom.js';
import { ms } from '../format.js';
import { OUTCOME_LABEL, type NodeOutcome } from './outcomes.js';

/** The drawn node groups of each state (a Parallel has its header and its join), for selecting them. */
export type StateNodes = Map<string, SVGGElement[]>;

export function drawGraph(
  { record, graph }: ExecutionResponse,
  runs: ReadonlyMap<string, StateRun>,
  open: (state: string) => void,
): { svg: SVGSVGElement; nodes: StateNodes } {
  const svg = s('svg', { width: '100%', viewBox: `0 0 ${graph.width} ${graph.height}`, role: 'img', 'aria-label': 'state machine' });
  svg.append(
    s(
      'defs',
      {},
      s(
        'marker',
        { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
        s('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#6e7781' }),
      ),
    ),
  );
  for (const n of graph.nodes.filter((n) => n.type === 'Cluster')) {
    svg.append(s('rect', { class: 'cluster', x: n.x - n.width / 2, y: n.y - n.height / 2, width: n.width, height: n.height, rx: 8 }));
  }
  for (const e of graph.edges) {
    if (!e.points.length) continue;
    const d = e.points.map((p, i) => `${i ? 'L' : 'M'} ${p.x} ${p.y}`).join(' ');
    svg.append(
      s(
        'path',
        { class: `edge ${e.kind}${e.taken ? ' taken' : ''}`, 'data-from': e.from, 'data-to': e.to, d, 'marker-end': 'url(#arrow)' },
        s('title', {}, e.label ?? e.kind),
      ),
    );
  }
  const nodes: StateNodes = new Map();
  for (const n of graph.nodes) {
    if (n.type === 'Cluster') continue;
    const run = n.state ? runs.get(n.state) : undefined;
    const outcome = nodeOutcome(n.type, run, record);
    const g = s('g', {
      class: `node ${n.type === 'Join' ? 'join ' : ''}${outcome}`,
      'data-state': n.state ?? n.id,
      'data-outcome': outcome,
      tabindex: n.state ? 0 : undefined,
    });
    g.append(
      s('rect', {
        x: n.x - n.width / 2,
        y: n.y - n.height / 2,
        width: n.width,
        height: n.height,
        rx: n.type === 'Start' || n.type === 'End' || n.type === 'Join' ? n.height / 2 : 6,
      }),
    );
    if (n.label) g.append(s('text', { x: n.x, y: n.y + 4.5, 'text-anchor': 'middle' }, n.label));
    g.append(s('title', {}, `${n.state ?? n.label}: ${OUTCOME_LABEL[outcome]}${run?.durationMs !== undefined ? `, ${ms(run.durationMs)}` : ''}`));
    const state = n.state;
    if (state) {
      g.addEventListener('click', () => open(state));
      g.addEventListener('keydown', (e) => (e.key === 'Enter' ? open(state) : undefined));
      nodes.set(state, [...(nodes.get(state) ?? []), g]);
    }
    svg.append(g);
  }
  return { svg, nodes };
}

/** Start always succeeded; End failed with the execution; a state by its last visit, or not run. */
function nodeOutcome(type: string, run: StateRun | undefined, record: ExecutionRecord): NodeOutcome {
  if (type === 'Start' || type === 'End') return type === 'End' && record.status === 'FAILED' ? 'failed' : 'succeeded';
  return run ? run.outcome : 'notrun';
}
