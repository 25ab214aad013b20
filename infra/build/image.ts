/**
 * The container image (classifier, plus fetch-image and the local safety function with a command
 * override) in ECR, built so that Lambda accepts it: ONE platform and NO attestations, i.e. a plain
 * image manifest. BuildKit's default provenance attestation turns a push into an image index, which
 * Lambda refuses ("The image manifest, config or layer media type ... is not supported",
 * aws-lambda-roadmap#82). awsx.ecr.Image 3.9 cannot turn attestations off (its arguments are args,
 * builderVersion, cacheFrom, context, dockerfile, imageName, imageTag, platform, registryId, target) and
 * @pulumi/docker-build 0.0.22 exposes no attestation setting either (buildx adds provenance unless told
 * not to), so a @pulumi/command resource runs `docker buildx build --provenance=false --sbom=false` with
 * one --platform and pushes; the functions then pin the pushed manifest by digest.
 */
import * as aws from '@pulumi/aws';
import * as awsx from '@pulumi/awsx';
import * as command from '@pulumi/command';
import * as pulumi from '@pulumi/pulumi';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { DOCKERFILE, readImageSpec } from './dockerfile.js';
import { projectRoot } from '../../functions/shared/project.js';

export interface FunctionsImage {
  repository: awsx.ecr.Repository;
  build: command.local.Command;
  /** `<repository>@sha256:...`: what every image function runs. */
  imageUri: pulumi.Output<string>;
}

export function dockerPlatform(architecture: 'x86_64' | 'arm64'): string {
  return architecture === 'arm64' ? 'linux/arm64' : 'linux/amd64';
}

/**
 * The build-and-push script (sh; values arrive in the environment, so nothing needs quoting). Progress
 * goes to stderr; stdout is the pushed manifest's digest only, read from buildx's metadata file.
 */
export const IMAGE_BUILD_SCRIPT = [
  'set -eu',
  'docker login --username "$REGISTRY_USER" --password-stdin "$REGISTRY" >&2',
  'metadata=$(mktemp)',
  'docker buildx build --platform "$PLATFORM" --provenance=false --sbom=false --build-arg "NODE_MAJOR=$NODE_MAJOR" ' +
    '--file "$DOCKERFILE" --tag "$IMAGE_TAG" --metadata-file "$metadata" --push "$CONTEXT" >&2',
  `node -e "process.stdout.write(JSON.parse(require('node:fs').readFileSync(process.argv[1], 'utf8'))['containerimage.digest'])" "$metadata"`,
  'rm -f "$metadata"',
].join('\n');

/** sha256 over the Dockerfile and every file its COPY instructions take from the context (the image tag). */
export function buildContextHash(extra: string[]): string {
  const hash = createHash('sha256');
  const files: string[] = [DOCKERFILE];
  const walk = (p: string) => {
    if (statSync(p).isDirectory()) {
      for (const name of readdirSync(p).sort()) if (name !== 'node_modules') walk(path.join(p, name));
    } else files.push(p);
  };
  for (const src of readImageSpec().copySources) walk(path.join(projectRoot, src));
  for (const f of files) hash.update(path.relative(projectRoot, f)).update('\0').update(readFileSync(f)).update('\0');
  for (const e of extra) hash.update(e).update('\0');
  return hash.digest('hex');
}

export function createImage(prefix: string, architecture: 'x86_64' | 'arm64', nodeMajor: number, tags: Record<string, string>): FunctionsImage {
  // Tags are content hashes and the functions pin the digest, so what runs never changes under them.
  const repository = new awsx.ecr.Repository(`${prefix}-functions`, {
    forceDelete: true,
    imageTagMutability: 'MUTABLE',
    imageScanningConfiguration: { scanOnPush: true },
    tags,
  });
  const platform = dockerPlatform(architecture);
  const contentHash = buildContextHash([platform, String(nodeMajor)]);
  const auth = aws.ecr.getAuthorizationTokenOutput({});
  const build = new command.local.Command(`${prefix}-functions-image`, {
    create: IMAGE_BUILD_SCRIPT,
    environment: {
      REGISTRY: repository.url.apply((url) => url.split('/')[0]),
      REGISTRY_USER: auth.userName,
      PLATFORM: platform,
      NODE_MAJOR: String(nodeMajor),
      DOCKERFILE: DOCKERFILE,
      CONTEXT: projectRoot,
      IMAGE_TAG: pulumi.interpolate`${repository.url}:${contentHash.slice(0, 32)}`,
    },
    stdin: pulumi.secret(auth.password),
    // A new build whenever anything that goes into the image changes (and only then).
    triggers: [contentHash],
  });
  const imageUri = pulumi.interpolate`${repository.url}@${build.stdout.apply((s) => s.trim())}`;
  return { repository, build, imageUri };
}
