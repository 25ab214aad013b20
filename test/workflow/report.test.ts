import { expect } from 'chai';
import type { LocalExecution } from '../../workflows/local/engine.js';
import { formatSummary, formatText, toJsonRecord, type ImageResult } from '../../cli/report.js';

function result(input: string, decision: 'approve' | 'review' | 'reject', status: LocalExecution['status']): ImageResult {
  return {
    input,
    execution: {
      status,
      verdict: {
        decision,
        reasons:
          decision === 'approve'
            ? [{ code: 'clean', message: 'nothing found' }]
            : [{ code: 'category-reject', category: 'Alcohol', label: 'beer bottle', message: 'beer bottle 91% ≥ 80%' }],
        seoTags: ['beer bottle', 'bottle'],
        altText: 'A beer bottle.',
        labels: [{ label: 'beer bottle', wnid: 'n02823428', score: 0.914 }],
        moderation: [{ name: 'Alcohol', parentName: '', confidence: 91.4 }],
        model: { name: 'mobilenetv2-12-int8', sha256: 'cc02' },
      },
      timings: { FetchImage: 12.345, ClassifyImage: 5.01 },
      retries: {},
      path: [],
      totalMs: 30.06,
      maxPayloadBytes: 100,
      events: [],
    },
  };
}

describe('CLI report', () => {
  it('NDJSON record has the documented keys and rounded timings with a total', () => {
    const rec = toJsonRecord(result('/p/beer.jpg', 'reject', 'Rejected'));
    expect(rec).to.have.all.keys(
      'input',
      'status',
      'decision',
      'decidedBy',
      'reviewId',
      'reasons',
      'seoTags',
      'altText',
      'labels',
      'moderation',
      'timings',
      'retries',
      'model',
      'image',
      'quality',
    );
    // A verdict nobody reviewed (older records carry no decidedBy) is the policy's; no review pending.
    expect(rec).to.include({ decidedBy: 'policy', reviewId: null });
    expect(rec.timings).to.deep.equal({ FetchImage: 12.3, ClassifyImage: 5, total: 30.1 });
    expect(JSON.parse(JSON.stringify(rec))).to.deep.equal(rec);
  });

  it('NDJSON record carries the relevance of a verdict moderated for a post (npm start --post --json)', () => {
    const r = result('/p/beer.jpg', 'review', 'NeedsReview');
    const relevance = { score: 0.5, matches: [], engine: 'wordnet-3.0-lin/x', explanation: "'beer' names beer bottle" };
    r.execution.verdict.relevance = relevance;
    expect(toJsonRecord(r).relevance).to.deep.equal(relevance);
  });

  it('text block names the decision, the reason category, tags, alt text and per-state ms', () => {
    const text = formatText(result('/p/beer.jpg', 'reject', 'Rejected'));
    expect(text).to.match(/^beer\.jpg {2}→ {2}REJECT \(Rejected\)/);
    expect(text).to.include('category-reject Alcohol: beer bottle 91% ≥ 80%');
    expect(text).to.include('tags:     beer bottle, bottle');
    expect(text).to.include('alt text: A beer bottle.');
    expect(text).to.include('FetchImage 12.3 ms');
    expect(text).to.include('total 30.1 ms');
  });

  it('summary table lists every image and counts decisions and failures', () => {
    const table = formatSummary(
      [result('/p/a.jpg', 'approve', 'Approved'), result('/p/b.jpg', 'reject', 'Rejected')],
      [{ input: '/p/c.jpg', error: { name: 'ExecutionFailed', message: 'x' } }],
      2000,
    );
    const lines = table.split('\n');
    expect(lines[0]).to.match(/^image\s+decision\s+top label\s+reason\s+ms$/);
    expect(table).to.match(/a\.jpg\s+approve\s+beer bottle 91%\s+clean/);
    expect(table).to.match(/b\.jpg\s+reject\s+beer bottle 91%\s+category-reject Alcohol/);
    expect(table).to.match(/c\.jpg\s+FAILED/);
    expect(lines.at(-1)).to.equal('3 images: 1 approved, 0 to review, 1 rejected, 1 FAILED to process; 2.0 s, 1.0 images/s');
  });
});
