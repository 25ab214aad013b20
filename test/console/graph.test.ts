// The console's graph is laid out by dagre from the very definition buildDefinition returns.
import { expect } from 'chai';
import { layoutDefinition, withTakenEdges, START, END } from '../../console/server/graph.js';
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

  describe('the edges a run took (withTakenEdges)', () => {
    const graph = layoutDefinition(localDefinition('local', 'test-ruleset'));
    const takenOf = (runs: Array<[name: string, type: string, startMs: number, durationMs: number]>) =>
      withTakenEdges(
        graph,
        runs.map(([name, type, startMs, durationMs]) => ({ name, type, startMs, durationMs })),
      )
        .edges.filter((e) => e.taken)
        .map((e) => `${e.from} > ${e.to}`)
        .sort();

    it('marks exactly the path of a run that went through the Parallel to a review', () => {
      const taken = takenOf([
        ['FetchImage', 'Task', 0, 10],
        ['LookupVerdict', 'Task', 11, 3],
        ['KnownImage', 'Choice', 15, 0],
        ['AnalyzeImage', 'Parallel', 16, 50],
        ['ClassifyImage', 'Task', 16, 40],
        ['CheckSafety', 'Task', 17, 45],
        ['AggregateVerdict', 'Task', 67, 2],
        ['RouteDecision', 'Choice', 70, 0],
        ['RequestReview', 'Task', 71, 3],
        ['RouteRecorded', 'Choice', 75, 0],
        ['NeedsReview', 'Succeed', 76, 0],
      ]);
      expect(taken).to.deep.equal(
        [
          'START > FetchImage',
          'FetchImage > LookupVerdict',
          'LookupVerdict > KnownImage',
          // LookupVerdict's catch also leads to AnalyzeImage, but KnownImage finished later.
          'KnownImage > AnalyzeImage',
          'AnalyzeImage > ClassifyImage',
          'AnalyzeImage > CheckSafety',
          'ClassifyImage > AnalyzeImage#join',
          'CheckSafety > AnalyzeImage#join',
          'AnalyzeImage#join > AggregateVerdict',
          'AggregateVerdict > RouteDecision',
          'RouteDecision > RequestReview',
          'RequestReview > RouteRecorded',
          'RouteRecorded > NeedsReview',
          'NeedsReview > END',
        ].sort(),
      );
    });

    it('marks the catch edge and the fail-safe path of a caught error, not the success edge', () => {
      const taken = takenOf([
        ['FetchImage', 'Task', 0, 5],
        ['FetchImageFailed', 'Pass', 6, 1],
        ['FailSafeVerdict', 'Task', 8, 2],
        ['RouteFailSafe', 'Choice', 11, 0],
        ['Rejected', 'Succeed', 12, 0],
      ]);
      expect(taken).to.deep.equal(
        [
          'START > FetchImage',
          'FetchImage > FetchImageFailed',
          'FetchImageFailed > FailSafeVerdict',
          'FailSafeVerdict > RouteFailSafe',
          'RouteFailSafe > Rejected',
          'Rejected > END',
        ].sort(),
      );
    });
  });
});
