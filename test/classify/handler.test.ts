import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createClassifyHandler, getClassifier } from '../../functions/classify/handler.js';
import type { StagedImage } from '../../functions/shared/contracts/index.js';
import { InvalidInput, StagedImageMissing } from '../../functions/shared/errors.js';
import { LocalStagingStore } from '../../functions/shared/staging/index.js';
import { mirrorDir, tempDir } from '../models/fixtures.js';
import { photo } from '../workflow/fixtures.js';

describe('classify/handler with the real staging directory and model', () => {
  let staging: Awaited<ReturnType<typeof tempDir>>;
  let cache: Awaited<ReturnType<typeof tempDir>>;
  let handler: ReturnType<typeof createClassifyHandler>;
  let store: LocalStagingStore;

  before(async () => {
    staging = await tempDir('classify-staging-');
    cache = await tempDir('classify-cache-');
    store = new LocalStagingStore(staging.dir);
    handler = createClassifyHandler({
      store,
      classifier: () =>
        getClassifier({
          store: { name: 'mobilenetv2-12-int8', cacheDir: cache.dir, mirrorDir, allowDownload: false },
          config: { threads: 2, maxPixels: 40e6 },
        }),
    });
  });
  after(async () => {
    await staging.cleanup();
    await cache.cleanup();
  });

  async function stage(file: string): Promise<StagedImage> {
    const bytes = await readFile(photo(file));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const ptr = await store.put(bytes, { sha256, format: 'jpeg' });
    return { ...ptr, sha256, bytes: bytes.length, format: 'jpeg', width: 500, height: 375 };
  }

  it('reads the staged image and returns the top 5 with the model it used', async () => {
    const out = await handler({ image: await stage('n02823428_beer_bottle.JPEG') });
    expect(out.labels).to.have.length(5);
    expect(out.labels[0]).to.deep.include({ wnid: 'n02823428', label: 'beer bottle' });
    expect(out.model.name).to.equal('mobilenetv2-12-int8');
    expect(JSON.stringify(out).length).to.be.below(2000);
  });

  it('refuses an event that is not a staged image pointer', async () => {
    for (const bad of [{}, { image: { uri: 'x' } }, { imageUrl: 'https://example.com/a.jpg' }]) {
      try {
        await handler(bad);
        expect.fail('expected InvalidInput');
      } catch (err) {
        expect(err).to.be.instanceOf(InvalidInput);
      }
    }
  });

  it('names a staged image that is gone', async () => {
    const image = await stage('n02391049_zebra.JPEG');
    try {
      await handler({ image: { ...image, key: `staging/00/${'0'.repeat(64)}.jpeg`, sha256: '0'.repeat(64) } });
      expect.fail('expected StagedImageMissing');
    } catch (err) {
      expect(err).to.be.instanceOf(StagedImageMissing);
    }
  });
});
