import { S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ModelNotFoundError } from '../../functions/shared/errors.js';
import { catalogEntry } from '../../functions/shared/models/catalog.js';
import { loadLabels } from '../../functions/shared/models/labels.js';
import { resolveModel } from '../../functions/shared/models/store.js';
import { listTree, mirrorDir, serveFiles, sha256Of, tempDir, type LoopbackServer } from './fixtures.js';

/**
 * A real S3Client against an S3-compatible stub on loopback (path-style GetObject: GET /bucket/key),
 * seeded with the real mobilenetv2-12-int8 and the zoo synset, laid out as the Lambda's bucket is.
 */
describe('models: S3 source (the Lambda path)', () => {
  let server: LoopbackServer;
  let client: S3Client;
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  const key = 'models/mobilenetv2-12-int8/mobilenetv2-12-int8.onnx';

  before(async () => {
    const model = await readFile(path.join(mirrorDir, 'mobilenetv2-12-int8', 'model.onnx'));
    const synset = await readFile(path.join(mirrorDir, 'mobilenetv2-12-int8', 'labels.txt'));
    server = await serveFiles(
      {
        [`/bucket/${key}`]: { body: model, chunks: 8 },
        '/bucket/models/mobilenetv2-12-int8/synset.txt': { body: synset },
      },
      (res) =>
        res
          .writeHead(404, { 'content-type': 'application/xml' })
          .end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>'),
    );
    client = new S3Client({
      endpoint: server.url,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  });
  after(async () => {
    client.destroy();
    await server.close();
  });
  beforeEach(async () => (tmp = await tempDir('s3')));
  afterEach(() => tmp.cleanup());

  it('cold start: streams the model and its labels from S3 into the cache, verified; warm start: cache', async () => {
    const opts = { name: 'mobilenetv2-12-int8', cacheDir: tmp.dir, s3Uri: `s3://bucket/${key}`, s3Client: client, allowDownload: false };
    const cold = await resolveModel(opts);
    expect(cold.source).to.equal('s3');
    expect(sha256Of(await readFile(cold.modelPath))).to.equal(catalogEntry('mobilenetv2-12-int8').sha256);
    expect(server.hits.get(`/bucket/${key}`)).to.equal(1);
    expect(server.hits.get('/bucket/models/mobilenetv2-12-int8/synset.txt')).to.equal(1);
    expect((await loadLabels(cold))[0]).to.deep.include({ label: 'tench', wnid: 'n01440764' });

    const warm = await resolveModel(opts);
    expect(warm.source).to.equal('cache');
    expect(server.hits.get(`/bucket/${key}`)).to.equal(1);
  });

  it('a missing object is a ModelNotFoundError naming the S3 URI', async () => {
    const uri = 's3://bucket/models/absent.onnx';
    try {
      await resolveModel({ name: 'mobilenetv2-12-int8', cacheDir: tmp.dir, s3Uri: uri, s3Client: client, allowDownload: false });
      expect.fail('resolved without the object');
    } catch (err) {
      expect(err).to.be.instanceOf(ModelNotFoundError);
      expect((err as Error).message).to.contain(`${uri}: ${uri} does not exist`);
    }
    expect(await listTree(tmp.dir)).to.deep.equal([]);
  });
});
