/**
 * The Lambda runtime is chosen by date: the lifecycle table refuses a runtime AWS no longer lets us
 * create functions on, `npm run plan` warns 180 days before deprecation, and today's choice is pinned.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ConfigError } from '../../functions/shared/errors.js';
import { parseStackConfig } from '../../infra/config.js';
import { planStack, readStackYaml } from '../../infra/plan/plan-stack.js';
import { checkRuntime, DEFAULT_LAMBDA_RUNTIME, DEPRECATION_WARNING_DAYS, LAMBDA_NODE_RUNTIMES } from '../../infra/build/runtime.js';
import { projectRoot } from '../workflow/fixtures.js';

const day = (iso: string) => new Date(`${iso}T12:00:00Z`);

describe('infra: Lambda runtime lifecycle', function () {
  this.timeout(120_000);

  it('deploys nodejs24.x today, neither refused nor warned about (re-check when this fails: AWS dates move)', () => {
    expect(DEFAULT_LAMBDA_RUNTIME).to.equal('nodejs24.x');
    const today = checkRuntime(DEFAULT_LAMBDA_RUNTIME, new Date());
    expect(today.warning, today.warning).to.equal(undefined);
    expect(today.runtime).to.include({ nodeMajor: 24, baseImage: 'public.ecr.aws/lambda/nodejs:24' });
  });

  it('holds AWS dates: deprecation before block-create before block-update', () => {
    for (const r of LAMBDA_NODE_RUNTIMES) {
      expect(Date.parse(r.deprecation) < Date.parse(r.blockCreate) && Date.parse(r.blockCreate) < Date.parse(r.blockUpdate), r.id).to.equal(true);
      expect(r.baseImage).to.equal(`public.ecr.aws/lambda/nodejs:${r.nodeMajor}`);
    }
  });

  it('refuses a runtime from its block-create date on, naming the dates and the runtime to use', () => {
    expect(() => checkRuntime('nodejs20.x', day('2026-12-02'))).to.throw(
      ConfigError,
      /blocks creating functions on it since 2026-08-31.*lambdaRuntime nodejs24\.x/,
    );
    expect(() => checkRuntime('nodejs22.x', day('2027-06-01'))).to.throw(ConfigError, /nodejs22\.x/);
    expect(checkRuntime('nodejs22.x', day('2027-05-31')).warning).to.match(/was deprecated on 2027-04-30.*Move to nodejs24\.x/);
    expect(() => checkRuntime('nodejs18.x', day('2026-12-02'))).to.throw(ConfigError, /not one of nodejs20\.x, nodejs22\.x, nodejs24\.x/);
  });

  it(`warns from ${DEPRECATION_WARNING_DAYS} days before deprecation, not a day earlier`, () => {
    // nodejs24.x: deprecation 2028-04-30; 180 days before is 2027-11-02.
    expect(checkRuntime('nodejs24.x', day('2027-11-01')).warning).to.equal(undefined);
    expect(checkRuntime('nodejs24.x', day('2027-11-02')).warning).to.match(/is deprecated in 180 days \(2028-04-30\)/);
    expect(checkRuntime('nodejs22.x', day('2026-12-02')))
      .to.include({ daysToDeprecation: 149 })
      .and.to.have.property('warning')
      .that.matches(/Move to nodejs24\.x/);
  });

  it('is one setting of the stack config (lambdaRuntime), validated with the date', () => {
    expect(parseStackConfig({ region: 'us-east-1' }).runtime.id).to.equal('nodejs24.x');
    expect(parseStackConfig({ region: 'us-east-1', lambdaRuntime: 'nodejs22.x' }, day('2026-12-02')).runtimeWarning).to.match(
      /nodejs22\.x is deprecated in 149 days/,
    );
    expect(() => parseStackConfig({ region: 'us-east-1', lambdaRuntime: 'nodejs20.x' }, day('2026-12-02'))).to.throw(ConfigError, /nodejs20\.x/);
  });

  it('puts the configured runtime on every function: the zip runtime and the image base', async () => {
    for (const [lambdaRuntime, major] of [
      ['nodejs24.x', '24'],
      ['nodejs22.x', '22'],
    ] as const) {
      const plan = await planStack({ ...readStackYaml('dev'), lambdaRuntime }, `test-runtime-${major}`);
      const fns = plan.resources.filter((r) => r.type === 'aws:lambda/function:Function');
      const zips = fns.filter((f) => f.inputs.packageType === 'Zip');
      expect(zips.length).to.be.at.least(1);
      expect(zips.map((f) => f.inputs.runtime)).to.deep.equal(zips.map(() => lambdaRuntime));
      expect(fns.filter((f) => f.inputs.packageType === 'Image').every((f) => f.inputs.runtime === undefined)).to.equal(true);
      const build = plan.resources.find((r) => r.type === 'command:local:Command')!;
      expect((build.inputs.environment as Record<string, string>).NODE_MAJOR).to.equal(major);
      expect(JSON.stringify(plan.resources)).not.to.match(/nodejs20\.x|lambda\/nodejs:20/);
    }
  });

  it('npm run plan prints the warning (stderr, and in --json) for a runtime near deprecation', async () => {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'infra/plan/plan.ts', '--json', '--config', 'lambdaRuntime=nodejs22.x'],
      { cwd: projectRoot, maxBuffer: 64 * 1024 * 1024 },
    );
    expect(stderr).to.match(/warning: lambdaRuntime nodejs22\.x is deprecated in \d+ days \(2027-04-30\)/);
    expect(JSON.parse(stdout).warnings).to.have.length(1);
  });
});
