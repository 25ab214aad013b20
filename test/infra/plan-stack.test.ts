import { expect } from 'chai';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseStackConfig } from '../../infra/config.js';
import { readStackYaml } from '../../infra/plan/plan-stack.js';
import { ConfigError } from '../../functions/shared/errors.js';
import { tempDir } from '../models/fixtures.js';

describe('infra: reading a stack file as Pulumi does (npm run plan)', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    tmp = await tempDir('stack-yaml-');
  });
  after(() => tmp.cleanup());

  it('reads the shipped Pulumi.dev.yaml into a valid configuration', () => {
    const cfg = parseStackConfig(readStackYaml('dev'));
    expect(cfg.region).to.be.a('string').and.not.be.empty;
    expect(cfg.classifierMemoryMb).to.be.a('number').above(0);
  });

  it('takes any quoting and a nested moderationPolicy map, as the Pulumi CLI would', async () => {
    const file = path.join(tmp.dir, 'Pulumi.nested.yaml');
    await writeFile(
      file,
      [
        'config:',
        '  aws:region: "eu-west-1"',
        "  blog-image-moderation:classifierMemoryMb: '3008'",
        '  blog-image-moderation:reservedConcurrency: 7 # a comment',
        '  blog-image-moderation:moderationPolicy:',
        '    safety:',
        '      Alcohol: { review: 90 }',
        '',
      ].join('\n'),
    );
    const raw = readStackYaml('nested', file);
    expect(raw).to.deep.equal({
      region: 'eu-west-1',
      classifierMemoryMb: '3008',
      reservedConcurrency: 7,
      moderationPolicy: { safety: { Alcohol: { review: 90 } } },
    });
    const cfg = parseStackConfig(raw);
    expect(cfg.moderationPolicy.safety.Alcohol.review).to.equal(90);
    expect(JSON.parse(cfg.moderationPolicyJson)).to.deep.equal({ safety: { Alcohol: { review: 90 } } });
  });

  it('names the file when "config" is not a map', async () => {
    const file = path.join(tmp.dir, 'Pulumi.bad.yaml');
    await writeFile(file, 'config: [1, 2]\n');
    expect(() => readStackYaml('bad', file)).to.throw(ConfigError, 'Pulumi.bad.yaml');
  });
});
