/**
 * The README's Layout section cannot drift from the tree: every source folder is on its "where things
 * live" map, every folder the section names exists, and every file directly in functions/shared/ (the
 * folder most likely to gather strays) is named in its table.
 */
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const root = process.cwd();
const layout = (() => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Layout\n');
  expect(start, 'README.md has a Layout section').to.be.greaterThan(0);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
})();

/** Folders below the source roots that hold at least one file, as `a/b/` (tests' own folders are test/'s business). */
function sourceFolders(): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const entries = readdirSync(path.join(root, rel), { withFileTypes: true });
    if (entries.some((e) => e.isFile())) out.push(`${rel}/`);
    for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') walk(`${rel}/${e.name}`);
  };
  for (const top of ['functions', 'workflows', 'client', 'cli', 'api', 'console', 'infra', 'models', 'bench', 'eval', 'docs']) walk(top);
  return out.sort();
}

/** The map: the bulleted lines of the section, each naming one or more folders in backticks. */
const mapped = new Set(
  layout
    .split('\n')
    .filter((l) => l.startsWith('- `'))
    .flatMap((l) => [...l.split(':')[0].matchAll(/`([^`]+\/)`/g)].map((m) => m[1])),
);

describe("the README's layout section matches the tree", () => {
  it('puts every source folder on the map', () => {
    const folders = sourceFolders();
    expect(folders.length).to.be.greaterThan(25);
    expect(folders.filter((f) => !mapped.has(f))).to.deep.equal([]);
  });

  it('names no folder that does not exist', () => {
    expect(mapped.size).to.be.greaterThan(25);
    const missing = [...mapped].filter((f) => !existsSync(path.join(root, f)) || !statSync(path.join(root, f)).isDirectory());
    expect(missing).to.deep.equal([]);
    const rows = [...layout.matchAll(/^([a-z][\w-]*(?:\/[\w-]+)*\/)\s/gm)].map((m) => m[1]);
    expect(rows.length, 'table rows that start with a folder').to.be.greaterThan(10);
    expect(rows.filter((f) => !existsSync(path.join(root, f)))).to.deep.equal([]);
  });

  it('names every file directly in functions/shared/ in the table', () => {
    const files = readdirSync(path.join(root, 'functions/shared')).filter((f) => f.endsWith('.ts'));
    expect(files.length).to.be.greaterThan(5);
    expect(files.filter((f) => !layout.includes(f))).to.deep.equal([]);
  });
});
