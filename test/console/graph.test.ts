// The console's graph is laid out by dagre from the very definition buildDefinition returns.
import { expect } from 'chai';
import { layoutDefinition, START, END } from '../../console/server/graph.js';
import { walkStates } from '../../workflows/asl.js';
import { localDefinition } from '../../workflows/local/definition.js';

describe('state machine graph (console/server/graph.ts)', () => {
  for (const engine of ['local', 'rekognition'] as const) {
    it(`lays out every state and transition of the ${engine} definition without overlaps`, () => {
      const def = localDefinition(engine, 'test-ruleset');
      const g = layoutDefinition(def);
      const ids = new Set(g.nodes.map((n) => n.id));
      for (const { name } of walkStates(def)) expect(ids.has(name), name).to.equal(true);
      expect(ids.has(START) && ids.has(END)).to.equal(true);
      for (const e of g.edges) {
        expect(ids.has(e.from) && ids.has(e.to), `${e.from} → ${e.to}`).to.equal(true);
        expect(e.points.length, `${e.from} → ${e.to}`).to.be.at.least(2);
      }
      // Every Catch target is reachable by a catch edge, every Choice target by a choice/default edge.
      expect(g.edges.some((e) => e.kind === 'catch' && e.from === 'FetchImage' && e.to === 'FetchImageFailed')).to.equal(true);
      expect(g.edges.some((e) => e.kind === 'catch' && e.from === 'AnalyzeImage#join' && e.to === 'AnalyzeImageFailed')).to.equal(true);
      for (const { name, state } of walkStates(def)) {
        if (state.Type !== 'Choice') continue;
        const targets = new Set([...state.Choices.map((c) => c.Next), ...(state.Default ? [state.Default] : [])]);
        expect(new Set(g.edges.filter((e) => e.from === name).map((e) => e.to)), name).to.deep.equal(targets);
      }

      const boxes = g.nodes.filter((n) => n.type !== 'Cluster');
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i];
          const b = boxes[j];
          const overlap = Math.abs(a.x - b.x) * 2 < a.width + b.width && Math.abs(a.y - b.y) * 2 < a.height + b.height;
          expect(overlap, `${a.id} overlaps ${b.id}`).to.equal(false);
        }
      }
      const cluster = g.nodes.find((n) => n.id === 'AnalyzeImage#cluster')!;
      for (const child of g.nodes.filter((n) => n.parent === cluster.id)) {
        expect(Math.abs(child.x - cluster.x) * 2 <= cluster.width && Math.abs(child.y - cluster.y) * 2 <= cluster.height, child.id).to.equal(true);
      }
      for (const n of g.nodes) expect(n.x + n.width / 2 <= g.width + 0.5 && n.y + n.height / 2 <= g.height + 0.5, n.id).to.equal(true);
    });
  }
});
