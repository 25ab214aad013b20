/**
 * The container image as the Pulumi program builds it and as the Dockerfile declares it: a single
 * platform and no attestations (a manifest Lambda accepts), a lint-clean Dockerfile whose RUN steps need
 * nothing the Lambda base image lacks, on the configured runtime's base.
 */
import { expect } from 'chai';
import { validate } from 'dockerfile-utils';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DOCKERFILE, readImageSpec } from '../../infra/build/dockerfile.js';
import { buildContextHash, IMAGE_BUILD_SCRIPT } from '../../infra/build/image.js';
import { planStack, readStackYaml, type StackPlan } from '../../infra/plan/plan-stack.js';
import { defaultRuntime } from '../../infra/build/runtime.js';
import { projectRoot } from '../workflow/fixtures.js';

describe('infra: the functions image (build resource under mocks, Dockerfile)', function () {
  this.timeout(60_000);
  let plan: StackPlan;
  before(async () => {
    plan = await planStack(readStackYaml('dev'), 'test-image');
  });

  it('builds one platform with provenance and SBOM attestations off, pushes, and pins the digest', () => {
    const build = plan.resources.find((r) => r.type === 'command:local:Command' && r.name.endsWith('-functions-image'))!;
    const script = build.inputs.create as string;
    expect(script).to.equal(IMAGE_BUILD_SCRIPT);
    const buildx = script.split('\n').find((l) => l.startsWith('docker buildx build'))!;
    expect(buildx).to.contain('--provenance=false').and.contain('--sbom=false').and.contain('--push');
    expect(buildx.match(/--platform/g)).to.have.length(1);
    expect(buildx).not.to.match(/--attest|--provenance=(true|mode)|oci-mediatypes=true/);
    const env = build.inputs.environment as Record<string, string>;
    expect(env.PLATFORM).to.match(/^linux\/(amd64|arm64)$/);
    expect(env.IMAGE_TAG).to.match(/\.dkr\.ecr\.us-east-1\.amazonaws\.com\/.+-functions:[0-9a-f]{32}$/);
    expect(build.inputs.triggers).to.deep.equal([buildContextHash([env.PLATFORM, env.NODE_MAJOR])]);
    for (const fn of plan.resources.filter((r) => r.type === 'aws:lambda/function:Function' && r.inputs.packageType === 'Image')) {
      expect(fn.inputs.imageUri, fn.name).to.match(/-functions@sha256:0{64}$/);
    }
  });

  it('rebuilds when anything the Dockerfile copies changes, and only then', () => {
    const spec = readImageSpec();
    expect(spec.copySources).to.include.members(['functions', 'package-lock.json', 'infra/build/task-root.ts']);
    expect(buildContextHash(['linux/amd64', '24'])).to.equal(buildContextHash(['linux/amd64', '24']));
    expect(buildContextHash(['linux/amd64', '24'])).not.to.equal(buildContextHash(['linux/arm64', '24']));
  });

  it('lints clean with dockerfile-utils (which does report a broken Dockerfile)', () => {
    const text = readFileSync(DOCKERFILE, 'utf8');
    expect(validate(text).map((d) => `${d.range.start.line + 1}: ${typeof d.message === 'string' ? d.message : d.message.value}`)).to.deep.equal([]);
    expect(validate(text.replace('CMD ["classify.handler"]', 'CMD ["classify.handler"]\nEXPOSE http'))).not.to.be.empty;
  });

  it('runs only node, npm and npx (all the Lambda base image guarantees), no pipes or subshells', () => {
    const spec = readImageSpec();
    expect(spec.runCommands).not.to.be.empty;
    for (const run of spec.runCommands) {
      expect(run, run).not.to.match(/[|;`]|\$\(/);
      for (const step of run.split('&&')) expect(step.trim().split(/\s+/)[0], run).to.be.oneOf(['node', 'npm', 'npx']);
    }
  });

  it('bases every stage on the Lambda image of the default runtime and copies only files that exist', () => {
    const spec = readImageSpec();
    expect(spec.nodeMajorDefault).to.equal(defaultRuntime().nodeMajor);
    expect(spec.baseImages.map((i) => i.replace('${NODE_MAJOR}', String(spec.nodeMajorDefault)))).to.deep.equal([
      defaultRuntime().baseImage,
      defaultRuntime().baseImage,
    ]);
    for (const src of spec.copySources) expect(existsSync(path.join(projectRoot, src)), src).to.equal(true);
    expect(spec.cmd).to.deep.equal(['classify.handler']);
  });
});
