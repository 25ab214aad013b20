import { expect } from 'chai';
import path from 'node:path';
import { ModelContractError } from '../../functions/shared/errors.js';
import { catalogEntry } from '../../functions/shared/models/catalog.js';
import { buildLabelTable, loadLabels } from '../../functions/shared/models/labels.js';
import type { ResolvedModel } from '../../functions/shared/models/resolved.js';
import { mirrorDir } from './fixtures.js';

/** The mirror's files read in place: these tests are about parsing, not about the store. */
function mirrorModel(name: string): ResolvedModel {
  const manifest = catalogEntry(name);
  const synsetPath = path.join(mirrorDir, 'mobilenetv2-12-int8', 'labels.txt');
  return {
    manifest,
    modelPath: path.join(mirrorDir, name, 'model.onnx'),
    labelsPath: path.join(mirrorDir, name, 'labels.txt'),
    sha256: manifest.sha256,
    source: 'mirror',
    synsetPath,
  };
}

describe('models: labels', () => {
  it('mobilenet-v2-int8 (1001 names, background first): index 1 is tench n01440764', async () => {
    const table = await loadLabels(mirrorModel('mobilenet-v2-int8'));
    expect(table).to.have.length(1001);
    expect(table[0]).to.equal(null);
    expect(table[1]).to.deep.equal({ label: 'tench', wnid: 'n01440764', synonyms: ['Tinca tinca'] });
    expect(table[1000]!.wnid).to.equal('n15075141');
  });

  it('mobilenetv2-12-int8 (zoo synset): index 0 is tench, tabby cat is 281', async () => {
    const table = await loadLabels({ ...mirrorModel('mobilenetv2-12-int8'), synsetPath: undefined });
    expect(table).to.have.length(1000);
    expect(table[0]).to.deep.equal({ label: 'tench', wnid: 'n01440764', synonyms: ['Tinca tinca'] });
    expect(table[281]).to.deep.include({ label: 'tabby', wnid: 'n02123045' });
  });

  it('both real label sources agree on the wnid of every class', async () => {
    const zoo = await loadLabels(mirrorModel('mobilenetv2-12-int8'));
    const coral = await loadLabels(mirrorModel('mobilenet-v2-int8'));
    expect(coral.slice(1).map((c) => c!.wnid)).to.deep.equal(zoo.map((c) => c!.wnid));
  });

  it('refuses a labels file whose length does not fit the model', () => {
    expect(() => buildLabelTable('n01440764 tench\n', { classes: 1000, labelOffset: 0, where: 'x.txt' })).to.throw(
      ModelContractError,
      /x\.txt has 1 lines but the model has 1000 outputs/,
    );
  });

  it('refuses names-only labels without the synset list to pair them with', () => {
    expect(() => buildLabelTable('a\nb\n', { classes: 2, labelOffset: 0, where: 'names.txt' })).to.throw(ModelContractError, /names only/);
  });
});
