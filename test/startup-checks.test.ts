/** Environment faults are one error at start-up; small correctness fixes found by following values (issue 13). */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createAggregateHandler } from '../functions/aggregate/handler.js';
import { REJECTED_ALT_TEXT } from '../functions/aggregate/alt-text.js';
import { safetyConfigFromEnv } from '../functions/safety/config.js';
import { createCheckSafetyHandler, getSafetyEngine } from '../functions/safety/handler.js';
import { ConfigError, ModelNotFoundError, PixelLimitExceeded } from '../functions/shared/errors.js';
import { modelStoreOptions } from '../functions/shared/models/config.js';
import { resolveModel } from '../functions/shared/models/store.js';
import { LocalStagingStore } from '../functions/shared/staging/index.js';
import { resolveInputs } from '../cli/args.js';
import { main } from '../cli/moderate.js';
import { tempDir } from './models/fixtures.js';
import { captureIo, photo } from './workflow/fixtures.js';

describe('start-up checks of the stores', function () {
  this.timeout(60_000);
  it("STAGING_DIR under /proc fails at once with a ConfigError naming it (Node's recursive mkdir would loop forever)", async () => {
    const err = await new LocalStagingStore('/proc/nope/deeper').ready().catch((e: Error) => e);
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as Error).message).to.contain('STAGING_DIR /proc/nope/deeper is not a writable directory');
  });

  it('a regular file as STAGING_DIR is refused; a missing nested directory is created', async () => {
    const tmp = await tempDir('startup-');
    try {
      const file = path.join(tmp.dir, 'a-file');
      await writeFile(file, 'x');
      expect(await new LocalStagingStore(file).ready().catch((e: Error) => e)).to.be.instanceOf(ConfigError);
      expect(await new LocalStagingStore(path.join(file, 'below')).ready().catch((e: Error) => e)).to.be.instanceOf(ConfigError);
      await new LocalStagingStore(path.join(tmp.dir, 'x', 'y', 'z')).ready();
      expect(await readdir(path.join(tmp.dir, 'x', 'y', 'z'))).to.deep.equal([]);
    } finally {
      await tmp.cleanup();
    }
  });

  it('npm start exits 1 with the reason, before any image or model, when the staging directory is unusable', async () => {
    const io = captureIo();
    const started = performance.now();
    const code = await main(['--json', '--staging-dir', '/proc/nope', photo('n02391049_zebra.JPEG')], io);
    expect(code).to.equal(1);
    expect(io.err()).to.match(/^error: ConfigError: STAGING_DIR \/proc\/nope is not a writable directory/);
    expect(io.out()).to.equal('');
    console.log(`      answered in ${Math.round(performance.now() - started)} ms`);
  });

  it('a model nobody can provide leaves no empty folder in the cache', async () => {
    const tmp = await tempDir('empty-cache-');
    try {
      const err = await resolveModel(modelStoreOptions({ name: 'resnet18-v2-7', cacheDir: tmp.dir, allowDownload: false }, {})).catch((e: Error) => e);
      expect(err).to.be.instanceOf(ModelNotFoundError);
      expect(await readdir(tmp.dir)).to.deep.equal([]);
    } finally {
      await tmp.cleanup();
    }
  });
});

describe('npm start -- <dir> follows symlinks to image files', () => {
  it('keeps links to regular files, drops dangling links and links to directories', async () => {
    const tmp = await tempDir('links-');
    try {
      await symlink(photo('n02391049_zebra.JPEG'), path.join(tmp.dir, 'linked.jpg'));
      await symlink(path.join(tmp.dir, 'missing.jpg'), path.join(tmp.dir, 'dangling.jpg'));
      await mkdir(path.join(tmp.dir, 'sub'));
      await symlink(path.join(tmp.dir, 'sub'), path.join(tmp.dir, 'dir.jpg'));
      await writeFile(path.join(tmp.dir, 'plain.png'), await readFile(photo('n01440764_tench.JPEG')));
      expect(await resolveInputs([tmp.dir])).to.deep.equal([path.join(tmp.dir, 'linked.jpg'), path.join(tmp.dir, 'plain.png')]);
    } finally {
      await tmp.cleanup();
    }
  });
});

describe('values followed through the steps', function () {
  this.timeout(60_000);
  it('the local safety engine honours MAX_IMAGE_PIXELS like the other steps', async () => {
    expect(safetyConfigFromEnv({ MAX_IMAGE_PIXELS: '1000' }).maxPixels).to.equal(1000);
    expect(() => safetyConfigFromEnv({ MAX_IMAGE_PIXELS: '0' })).to.throw(ConfigError, /MAX_IMAGE_PIXELS/);
    const staging = await tempDir('pixels-');
    try {
      const store = new LocalStagingStore(staging.dir);
      const bytes = await readFile(photo('n02787622_banjo.JPEG'));
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const ptr = await store.put(bytes, { sha256, format: 'jpeg' });
      const config = { ...safetyConfigFromEnv({ MAX_IMAGE_PIXELS: '1000' }), threads: 1, nsfw: { cacheDir: modelStoreOptions({}, {}).cacheDir } };
      const handler = createCheckSafetyHandler({ store, engine: () => getSafetyEngine(config) });
      const err = await handler({ image: { ...ptr, sha256, bytes: bytes.length, format: 'jpeg', width: 500, height: 375 } }).catch((e: Error) => e);
      expect(err).to.be.instanceOf(PixelLimitExceeded);
    } finally {
      await staging.cleanup();
    }
  });

  it('a rejected image gets no "awaiting review" alt text, and reasons end in one period', async () => {
    const verdict = await createAggregateHandler()({
      input: { imageUrl: 'https://x.test/a.svg' },
      error: {
        Error: 'UnsupportedImageFormat',
        Cause: JSON.stringify({
          errorType: 'UnsupportedImageFormat',
          errorMessage: 'SVG is not a raster format; send a JPEG, PNG, WebP, GIF, AVIF, HEIF or TIFF.',
        }),
        state: 'FetchImage',
      },
    });
    expect(verdict.decision).to.equal('reject');
    expect(verdict.altText).to.equal(REJECTED_ALT_TEXT);
    for (const r of verdict.reasons) expect(r.message, r.message).not.to.match(/\.\./);
    const review = await createAggregateHandler()({
      input: { imageUrl: 'https://x.test/a.jpg' },
      error: { Error: 'FetchTimeout', Cause: 'The server did not answer within 10000 ms.' },
    });
    expect(review.decision).to.equal('review');
    expect(review.altText).to.equal('An image awaiting review.');
    expect(review.reasons[0].message).to.equal('FetchTimeout: The server did not answer within 10000 ms. A person must check this image.');
  });
});
