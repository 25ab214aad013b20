/**
 * No import cycle among the project's sources: two files that import each other (even for a type) are
 * one concern split in two, and a value cycle makes what a module sees at load time depend on which
 * file was imported first. Every relative specifier must also name a file.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { findCycles, importGraph, sourceFiles } from './import-graph.js';

const SOURCE_ROOTS = ['index.ts', 'functions', 'workflows', 'client', 'cli', 'console', 'api', 'infra', 'eval', 'bench', 'models', 'test'];

const show = (cycles: string[][]) => cycles.map((c) => `import cycle: ${c.join(' -> ')}`).join('\n');

describe('import cycles', () => {
  it('no source file reaches itself through its relative imports (type-only and lazy ones included)', () => {
    const root = process.cwd();
    const files = sourceFiles(root, SOURCE_ROOTS);
    expect(files.length).to.be.greaterThan(250);
    const graph = importGraph(root, files);
    expect(graph.edges.length).to.be.greaterThan(1000);
    expect(graph.unresolved, `relative imports that name no file:\n${graph.unresolved.join('\n')}`).to.deep.equal([]);
    const cycles = findCycles(graph);
    expect(cycles, show(cycles)).to.deep.equal([]);
  });

  describe('the finder (on files written for the test)', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'import-cycles-'));
      const files: Record<string, string> = {
        'a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
        'b.ts': "import { c } from './sub/c.js';\nexport const b = c;\n",
        'sub/c.ts': "// import { a } from '../a.js'; (a comment is no import)\nexport { a as c } from '../a.js';\n",
        'd.ts': "import type { E } from './e.js';\nexport type D = E;\nexport const d = 'import(\"./e.js\")';\n",
        'e.ts': "export type E = import('./d.js').D;\n",
        'f.ts': "export const f = () => import('./g.js');\n",
        'g.ts': "import { f } from './f.js';\nimport { h } from './h.js';\nexport const g = [f, h];\n",
        'h.ts': "export const h = 1;\nimport './missing.js';\n",
      };
      await mkdir(path.join(dir, 'sub'));
      for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
    });
    after(() => rm(dir, { recursive: true, force: true }));

    it('names every cycle as a path: a re-export, a type-only import and a lazy import() each close one', () => {
      const graph = importGraph(dir, sourceFiles(dir, ['.']));
      const cycles = findCycles(graph).map((c) => c.map((f) => path.posix.normalize(f)));
      expect(cycles).to.have.deep.members([
        ['a.ts', 'b.ts', 'sub/c.ts', 'a.ts'],
        ['d.ts', 'e.ts', 'd.ts'],
        ['f.ts', 'g.ts', 'f.ts'],
      ]);
      expect(graph.unresolved).to.deep.equal(['h.ts: ./missing.js']);
      expect(show(findCycles(graph).slice(0, 1))).to.match(/^import cycle: (\.\/)?a\.ts -> (\.\/)?b\.ts -> (\.\/)?sub\/c\.ts -> (\.\/)?a\.ts$/);
    });

    it('finds none once the closing import is gone', () => {
      const graph = importGraph(dir, sourceFiles(dir, ['.']));
      const open = { ...graph, edges: graph.edges.filter((e) => !/c\.ts$/.test(e.from) && !/e\.ts$/.test(e.from) && !/g\.ts$/.test(e.from)) };
      expect(findCycles(open)).to.deep.equal([]);
    });
  });
});
