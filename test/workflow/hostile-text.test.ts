// Terminal and email injection: a post id, file name or URL with escape sequences and newlines reaches
// `npm run review -- show` (the real CLI on a real SQLite file) and the SNS email as visible escapes,
// never as a colour change or a forged line.
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { printable } from '../../functions/shared/printable.js';
import { SqliteVerdictStore } from '../../functions/shared/verdict-store/sqlite.js';
import { reviewMessage, snsNotifier } from '../../functions/verdicts/notify.js';
import { requestReview } from '../../functions/verdicts/request.js';
import { reviewMain } from '../../cli/review.js';
import { sha, verdict } from '../verdicts/store-contract.js';
import { captureIo } from './fixtures.js';

const FORGED = '\n  reasons:   clean: No moderation category reached its review threshold.';
const HOSTILE_POST = `post-1\u001b[2K\u001b[1A${FORGED}`;
const HOSTILE_URL = `https://blog.example.com/a.jpg\r${FORGED}\u202e`;

describe('hostile text in CLI and email output', function () {
  this.timeout(30_000);
  let dir: string;
  let reviewId: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hostile-text-'));
    const store = await SqliteVerdictStore.open(dir);
    const s = sha('hostile');
    const { item } = await store.requestReview({
      sha256: s,
      ruleset: 'r',
      verdict: verdict('review', { image: { uri: 'file:///x', key: 'x', sha256: s, bytes: 1, format: 'jpeg', width: 1, height: 1 } }),
      postId: HOSTILE_POST,
      imageUrl: HOSTILE_URL,
      at: new Date().toISOString(),
      deadline: new Date(Date.now() + 3_600_000).toISOString(),
    });
    reviewId = item.reviewId;
    await store.close();
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  const noControls = (text: string) => {
    // Newlines are the formatter's own; every other control character must be gone.
    // eslint-disable-next-line no-control-regex -- the characters that must not survive
    expect(text).not.to.match(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(text.split('\n').filter((l) => l.trimStart().startsWith('reasons:'))).to.have.length.at.most(1);
  };

  it('printable shows controls as escapes and leaves ordinary text alone', () => {
    expect(printable('a\u001b[31mb\nc\u202e')).to.equal('a\\x1b[31mb\\x0ac\\u202e');
    expect(printable('Zürich — 東京 café')).to.equal('Zürich — 東京 café');
  });

  it('npm run review -- show and list print the hostile post id and URL as escapes, on their own lines', async () => {
    for (const argv of [['show', reviewId], ['list']]) {
      const io = captureIo({});
      const code = await reviewMain([...argv, '--data-dir', dir], io);
      expect(code, io.err()).to.equal(0);
      noControls(io.out());
      if (argv[0] === 'show') {
        expect(io.out()).to.contain('\\x1b[2K').and.contain('\\x0a  reasons:   clean');
        const reasons = io
          .out()
          .split('\n')
          .filter((l) => l.trimStart().startsWith('reasons:'));
        expect(reasons[0]).not.to.contain('clean');
      }
    }
  });

  it('the moderators’ email carries the same escapes', async () => {
    const store = await SqliteVerdictStore.open(dir);
    const item = (await store.getReview(reviewId))!;
    await store.close();
    const { subject, body } = reviewMessage(item);
    noControls(subject);
    noControls(body);
    expect(body).to.contain('\\x0d').and.contain('\\u202e');
  });

  it('RequestReview keeps a signed URL without its query: no signature in the store or the email', async () => {
    const store = await SqliteVerdictStore.open(dir);
    const sent: string[] = [];
    const notifier = snsNotifier('arn:aws:sns:eu-west-1:123456789012:reviews', async (m) => void sent.push(m.Message));
    const s = sha('signed');
    const signed = 'https://bucket.s3.amazonaws.com/photos/a.jpg?X-Amz-Credential=AKIAEXAMPLE%2F20261203&X-Amz-Signature=0123456789abcdef';
    const held = verdict('review', { image: { uri: 'file:///y', key: 'y', sha256: s, bytes: 1, format: 'jpeg', width: 1, height: 1 } });
    await requestReview({ store, notifier }, { ruleset: 'r', verdict: held, input: { imageUrl: signed, postId: 'p' }, timeoutSeconds: 60 });
    const items = await store.listReviews({ status: 'pending' });
    const item = items.find((i) => i.sha256 === s)!;
    await store.close();
    expect(item.imageUrl).to.equal('https://bucket.s3.amazonaws.com/photos/a.jpg?…');
    expect(sent).to.have.length(1);
    expect(sent[0]).to.contain('photos/a.jpg').and.not.contain('X-Amz-Signature').and.not.contain('AKIAEXAMPLE');
  });
});
