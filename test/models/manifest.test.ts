import { expect } from 'chai';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, ModelNotFoundError } from '../../functions/shared/errors.js';
import { catalogEntry, DEFAULT_DEPLOYED_MODEL, DEFAULT_LOCAL_MODEL, IMAGENET_SYNSET, listCatalog } from '../../functions/shared/models/catalog.js';
import { isTimingOnly, parseManifest, resizeRule } from '../../functions/shared/models/manifest.js';
import { mirrorDir } from './fixtures.js';

describe('models: manifest and catalog', () => {
  it('accepts every mirror manifest as it is and normalises the free-text output kind', async () => {
    const dirs = (await readdir(mirrorDir, { withFileTypes: true })).filter((d) => d.isDirectory());
    expect(dirs.length).to.be.greaterThanOrEqual(3);
    const kinds: Record<string, string> = {};
    for (const d of dirs) {
      const file = path.join(mirrorDir, d.name, 'manifest.json');
      const m = parseManifest(JSON.parse(await readFile(file, 'utf8')), file);
      expect(m.name).to.equal(d.name);
      kinds[m.name] = m.output.kind;
    }
    expect(kinds).to.deep.include({
      'mobilenet-v2-int8': 'probabilities',
      'mobilenetv2-12-int8': 'logits',
      'resnet50-int8-random-timing': 'logits',
    });
  });

  it('rejects a broken manifest with a ConfigError naming the field and the origin', () => {
    const good = listCatalog()[0];
    const bad = { ...good, sha256: 'abc', output: { ...good.output, kind: 'scores' } };
    expect(() => parseManifest(bad, 'test.json'))
      .to.throw(ConfigError)
      .with.property('message')
      .that.matches(/test\.json/)
      .and.matches(/sha256/)
      .and.matches(/output\.kind/);
    const stretched = { ...good, input: { ...good.input, resize: 'stretch to 224x224' } };
    expect(() => parseManifest(stretched, 'x.json')).to.throw(ConfigError, /resize/);
  });

  it('parses the resize rule', () => {
    expect(resizeRule(catalogEntry(DEFAULT_LOCAL_MODEL).input)).to.deep.equal({
      shorterSide: 256,
      cropWidth: 224,
      cropHeight: 224,
    });
  });

  it('lists the production models pinned as docs/decisions.md lists them, plus the mirror-only ones', () => {
    const byName = new Map(listCatalog().map((m) => [m.name, m]));
    expect([...byName.keys()]).to.include.members([
      'resnet50-v1-12-int8',
      'resnet50-v1-12-qdq',
      'resnet18-v2-7',
      'mobilenetv2-12-int8',
      'mobilenet-v2-int8',
      'resnet50-int8-random-timing',
    ]);
    const deployed = catalogEntry(DEFAULT_DEPLOYED_MODEL);
    // The deployed default is the local one: the model eval measures, byte-identical to the zoo's file.
    expect(DEFAULT_DEPLOYED_MODEL).to.equal(DEFAULT_LOCAL_MODEL);
    expect(deployed.sha256).to.equal('cc028fe6cae7bc11a4ff53cfc9b79c920e8be65ce33a904ec3e2a8f66d77f95f');
    expect(deployed.bytes).to.equal(3_655_033);
    expect(deployed.url).to.match(/^https:\/\/github\.com\/onnx\/models\/raw\/main\/.*mobilenetv2-12-int8\.onnx$/);
    expect(byName.get('resnet50-v1-12-int8')!.sha256).to.equal('c234f30975989788b4405f25253275aae247ab6dbdd34aaa69ab0a59ff76f6d0');
    expect(deployed.output.labelsSha256).to.equal(IMAGENET_SYNSET.sha256);
    expect(catalogEntry('resnet18-v2-7').sha256).to.equal('3b4d048057854022232aa20bf68262e31718ab7119a17f920b8a2dc1433f824b');
    expect(byName.get('mobilenet-v2-int8')!.url).to.equal(undefined);
    expect(isTimingOnly(byName.get('resnet50-int8-random-timing')!)).to.equal(true);
    expect(isTimingOnly(deployed)).to.equal(false);
  });

  it('agrees with the mirror manifests on sha256 and size', async () => {
    for (const name of ['mobilenetv2-12-int8', 'mobilenet-v2-int8', 'resnet50-int8-random-timing']) {
      const mirror = JSON.parse(await readFile(path.join(mirrorDir, name, 'manifest.json'), 'utf8'));
      expect(catalogEntry(name).sha256, name).to.equal(mirror.sha256);
      expect(catalogEntry(name).bytes, name).to.equal(mirror.bytes);
    }
  });

  it('names the known models when asked for an unknown one', () => {
    expect(() => catalogEntry('resnet51'))
      .to.throw(ModelNotFoundError)
      .with.property('message')
      .that.matches(/resnet51/)
      .and.matches(/resnet50-v1-12-int8/)
      .and.matches(/MODEL_NAME/);
  });
});
