import { expect } from 'chai';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../functions/shared/errors.js';
import { parseCliArgs, resolveInputs } from '../../cli/args.js';

describe('CLI arguments', () => {
  it('parses flags into typed options with defaults', () => {
    const parsed = parseCliArgs(['--json', '--concurrency', '3', '--safety-engine', 'rekognition', 'a.jpg', 'https://x.test/b.png'], {});
    expect(parsed.help).to.equal(false);
    if (parsed.help) return;
    expect(parsed.options).to.deep.include({ json: true, concurrency: 3, safetyEngine: 'rekognition', stagingDir: '.staging' });
    expect(parsed.options.inputs).to.deep.equal(['a.jpg', 'https://x.test/b.png']);
    const defaults = parseCliArgs(['a.jpg'], { MODEL_MIRROR: '/m' });
    if (defaults.help) throw new Error('unexpected help');
    expect(defaults.options).to.deep.include({ json: false, safetyEngine: 'local', mirror: '/m' });
    expect(defaults.options.concurrency).to.be.greaterThan(0);
  });

  it('answers --help without needing inputs', () => {
    expect(parseCliArgs(['--help'], {})).to.deep.equal({ help: true });
    expect(parseCliArgs(['-h'], {})).to.deep.equal({ help: true });
  });

  for (const [argv, pattern] of [
    [[], /at least one image/],
    [['--concurrency', '0', 'a.jpg'], /--concurrency must be at least 1/],
    [['--concurrency', 'two', 'a.jpg'], /--concurrency must be a number/],
    [['--safety-engine', 'magic', 'a.jpg'], /--safety-engine must be local or rekognition/],
    [['--frobnicate', 'a.jpg'], /frobnicate/],
    [['--model'], /--model/],
  ] as const) {
    it(`refuses ${JSON.stringify(argv)} with a ConfigError that says why`, () => {
      expect(() => parseCliArgs([...argv], {})).to.throw(ConfigError, pattern);
    });
  }

  describe('resolveInputs', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'cli-args-'));
      await mkdir(path.join(dir, 'imgs'));
      await writeFile(path.join(dir, 'imgs', 'b.JPEG'), 'x');
      await writeFile(path.join(dir, 'imgs', 'a.png'), 'x');
      await writeFile(path.join(dir, 'imgs', 'notes.txt'), 'x');
      await mkdir(path.join(dir, 'empty'));
      await writeFile(path.join(dir, 'odd.bin'), 'x');
    });
    after(() => rm(dir, { recursive: true, force: true }));

    it('keeps URLs, makes files absolute and expands directories to their images, sorted', async () => {
      const got = await resolveInputs(['https://x.test/i.jpg', path.join(dir, 'odd.bin'), path.join(dir, 'imgs')]);
      expect(got).to.deep.equal(['https://x.test/i.jpg', path.join(dir, 'odd.bin'), path.join(dir, 'imgs', 'a.png'), path.join(dir, 'imgs', 'b.JPEG')]);
    });

    it('refuses a missing path and a directory without images', async () => {
      for (const [p, pattern] of [
        [path.join(dir, 'nope.jpg'), /no such file/],
        [path.join(dir, 'empty'), /no image files/],
      ] as const) {
        let caught: unknown;
        try {
          await resolveInputs([p]);
        } catch (err) {
          caught = err;
        }
        expect(caught).to.be.instanceOf(ConfigError);
        expect((caught as Error).message).to.match(pattern);
      }
    });
  });
});
