import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { main, type CliIo } from '../../workflows/cli.js';
import type { CreateLocalWorkflow } from '../../workflows/local-engine.js';

export function captureIo(env: NodeJS.ProcessEnv = {}): CliIo & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return { stdout, stderr, env, out: () => out, err: () => err };
}

const mustNotBuild: CreateLocalWorkflow = async () => {
  throw new Error('the workflow must not be built for a usage error');
};

describe('CLI usage and exit codes', () => {
  it('--help prints the usage and exits 0', async () => {
    const io = captureIo();
    expect(await main(['--help'], io, mustNotBuild)).to.equal(0);
    expect(io.out()).to.match(/^Usage: npm start -- \[options\] <image path \| URL \| directory>/);
    expect(io.out()).to.include('--concurrency');
  });

  for (const [argv, pattern] of [
    [[], /at least one image/],
    [['--concurrency', '-1', 'x.jpg'], /--concurrency/],
    [['--nope', 'x.jpg'], /nope/],
    [['/definitely/not/here.jpg'], /no such file or directory/],
    [['--state-machine-arn', 'arn:aws:states:eu-west-1:123456789012:stateMachine:m', 'https://example.com/a.jpg'], /not yet supported/],
  ] as const) {
    it(`exits 2 with a clear message for ${JSON.stringify(argv)}`, async () => {
      const io = captureIo();
      expect(await main([...argv], io, mustNotBuild)).to.equal(2);
      expect(io.err()).to.match(/^error: /).and.to.match(pattern);
      expect(io.out()).to.equal('');
    });
  }
});
