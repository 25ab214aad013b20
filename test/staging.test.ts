import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { createHash } from 'node:crypto';
import { StagedImageMissing } from '../functions/shared/errors.js';
import { LocalStagingStore, S3StagingStore, stagingStoreFromEnv } from '../functions/shared/staging/index.js';
import { tempDir } from './models/fixtures.js';

const bytes = Buffer.from('not really a jpeg, the store does not care');
const sha256 = createHash('sha256').update(bytes).digest('hex');

describe('staging store', () => {
  it('local: content-addressed, idempotent, and names a missing image', async () => {
    const dir = await tempDir('staging-');
    try {
      const store = new LocalStagingStore(dir.dir);
      const a = await store.put(bytes, { sha256, format: 'jpeg' });
      const b = await store.put(bytes, { sha256, format: 'jpeg' });
      expect(a).to.deep.equal(b);
      expect(a.key).to.equal(`staging/${sha256.slice(0, 2)}/${sha256}.jpeg`);
      expect(await store.get(a)).to.deep.equal(bytes);
      try {
        await store.get({ uri: '', key: `staging/00/${'0'.repeat(64)}.jpeg` });
        expect.fail('expected StagedImageMissing');
      } catch (err) {
        expect(err).to.be.instanceOf(StagedImageMissing);
      }
    } finally {
      await dir.cleanup();
    }
  });

  it('S3 (aws-sdk-client-mock): PutObject with the sha256 checksum, GetObject back, NoSuchKey named', async () => {
    const s3 = mockClient(S3Client);
    try {
      s3.on(PutObjectCommand).resolves({});
      s3.on(GetObjectCommand, { Key: `staging/${sha256.slice(0, 2)}/${sha256}.png` }).resolves({
        Body: { transformToByteArray: async () => new Uint8Array(bytes) } as never,
      });
      s3.on(GetObjectCommand, { Key: 'staging/gone.png' }).rejects(new NoSuchKey({ message: 'gone', $metadata: {} }));
      const store = new S3StagingStore('stage-bucket', new S3Client({ region: 'us-east-1' }));
      const ptr = await store.put(bytes, { sha256, format: 'png' });
      expect(ptr).to.deep.equal({
        uri: `s3://stage-bucket/staging/${sha256.slice(0, 2)}/${sha256}.png`,
        bucket: 'stage-bucket',
        key: `staging/${sha256.slice(0, 2)}/${sha256}.png`,
      });
      const put = s3.commandCalls(PutObjectCommand)[0].args[0].input;
      expect(put).to.include({ Bucket: 'stage-bucket', ContentType: 'image/png', ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64') });
      expect(await store.get(ptr)).to.deep.equal(bytes);
      try {
        await store.get({ uri: '', bucket: 'stage-bucket', key: 'staging/gone.png' });
        expect.fail('expected StagedImageMissing');
      } catch (err) {
        expect(err).to.be.instanceOf(StagedImageMissing);
      }
    } finally {
      s3.restore();
    }
  });

  it('picks S3 when STAGING_BUCKET is set, the directory otherwise', () => {
    expect(stagingStoreFromEnv({ STAGING_BUCKET: 'b' })).to.be.instanceOf(S3StagingStore);
    expect(stagingStoreFromEnv({})).to.be.instanceOf(LocalStagingStore);
  });
});
