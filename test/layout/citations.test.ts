/**
 * The project's decisions live in the project (docs/decisions.md): no tracked file may send a reader to
 * a document outside the repository, which a fresh clone does not have.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';

const OUTSIDE_DOCUMENTS = /\bDESIGN\.md\b|\.\.\/shared\/[\w./-]*\.md\b/;
const TEXT = /\.(ts|js|cjs|mjs|json|md|yaml|yml|py|sh|html|css)$|(^|\/)(Dockerfile|run)$/;

describe('citations', () => {
  it('no tracked source or document cites a file outside the repository', () => {
    const files = execFileSync('git', ['ls-files'], { encoding: 'utf8' })
      .split('\n')
      .filter((f) => TEXT.test(f) && f !== 'test/layout/citations.test.ts');
    expect(files.length).to.be.greaterThan(100);
    const offenders = files.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) => (OUTSIDE_DOCUMENTS.test(line) ? [`${f}:${i + 1}: ${line.trim().slice(0, 120)}`] : [])),
    );
    expect(offenders, offenders.join('\n')).to.deep.equal([]);
  });
});
