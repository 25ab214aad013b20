/**
 * The other Lambdas. fetch-image runs outside the VPC so it reaches the internet without a NAT gateway;
 * it and the local safety function use the classifier's image (command override) because both need
 * sharp's native modules for the function's architecture; aggregate is pure JavaScript: an esbuild
 * zip. All on the configured Node.js runtime (infra/build/runtime.ts) with JSON logs and X-Ray.
 */
import * as pulumi from '@pulumi/pulumi';
import { DEFAULT_LIMITS } from '../functions/shared/limits.js';
import { bundleFunction } from './build/bundle.js';
import type { FunctionsImage } from './build/image.js';
import { lambdaWith, type CreatedLambda } from './lambda.js';
import { telemetryEnv, type TelemetrySettings } from './log-groups.js';
import type { UploadedModel } from './model-uploads.js';
import type { LambdaNodeRuntime } from './build/runtime.js';
import { STAGING_PREFIX, type Storage } from './storage.js';

export interface FunctionsArgs {
  prefix: string;
  image: FunctionsImage;
  runtime: LambdaNodeRuntime;
  storage: Storage;
  architecture: 'x86_64' | 'arm64';
  safetyEngine: 'rekognition' | 'local';
  safetyMinConfidence: number;
  nsfwModel?: UploadedModel;
  /** The local engine's confirming model (InceptionV3), asked only when the first one reports something. */
  nsfwConfirmModel?: UploadedModel;
  moderationPolicyJson: string;
  /** fetch-image's cap: every execution starts there, so this bounds how fast a runaway publisher loop can spend. */
  reservedConcurrency: number;
  telemetry: TelemetrySettings;
  logRetentionDays: number;
  tags: Record<string, string>;
}

export function createFunctions(a: FunctionsArgs) {
  const staging = a.storage.staging.bucket;
  const stagedObjects = pulumi.interpolate`${staging.arn}/${STAGING_PREFIX}*`;

  const fetch = lambdaWith(a.prefix, 'fetch-image', a, [{ Sid: 'StageValidatedImages', Effect: 'Allow', Action: ['s3:PutObject'], Resource: stagedObjects }], {
    packageType: 'Image',
    imageUri: a.image.imageUri,
    imageConfig: { commands: ['fetch-image.handler'] },
    memorySize: 1024,
    timeout: 30,
    reservedConcurrentExecutions: a.reservedConcurrency,
    environment: {
      variables: {
        STAGING_BUCKET: staging.bucket,
        STAGING_PREFIX,
        FETCH_MAX_BYTES: String(DEFAULT_LIMITS.maxBytes),
        FETCH_TIMEOUT_MS: String(DEFAULT_LIMITS.fetchTimeoutMs),
        FETCH_MAX_REDIRECTS: String(DEFAULT_LIMITS.maxRedirects),
        MAX_IMAGE_PIXELS: String(DEFAULT_LIMITS.maxPixels),
        ...telemetryEnv(a.telemetry),
      },
    },
  });

  const aggregate = lambdaWith(a.prefix, 'aggregate', a, [], {
    packageType: 'Zip',
    runtime: a.runtime.id,
    handler: 'index.handler',
    code: bundleFunction('aggregate', a.runtime.nodeMajor),
    memorySize: 256,
    timeout: 10,
    environment: { variables: { MODERATION_POLICY: a.moderationPolicyJson, ...telemetryEnv(a.telemetry) } },
  });

  let safety: CreatedLambda | undefined;
  if (a.safetyEngine === 'local') {
    if (!a.nsfwModel) throw new Error('safetyEngine local needs the converted nsfwjs model uploaded (nsfwModel).');
    const models = a.storage.models.bucket;
    safety = lambdaWith(
      a.prefix,
      'check-safety',
      a,
      [
        { Sid: 'ReadStagedImages', Effect: 'Allow', Action: ['s3:GetObject'], Resource: stagedObjects },
        {
          Sid: 'ReadTheSafetyModels',
          Effect: 'Allow',
          Action: ['s3:GetObject'],
          Resource: [a.nsfwModel, ...(a.nsfwConfirmModel ? [a.nsfwConfirmModel] : [])].map((m) => pulumi.interpolate`${models.arn}/${m.key}`),
        },
      ],
      {
        packageType: 'Image',
        imageUri: a.image.imageUri,
        imageConfig: { commands: ['safety.handler'] },
        memorySize: 1536,
        timeout: 30,
        // The models (10 MB + 90 MB) live in /tmp: no VPC or EFS needed, and a cold start reads them from S3 once.
        ephemeralStorage: { size: 512 },
        environment: {
          variables: {
            STAGING_BUCKET: staging.bucket,
            STAGING_PREFIX,
            SAFETY_MIN_CONFIDENCE: String(a.safetyMinConfidence),
            NSFW_MODEL_S3_URI: pulumi.interpolate`s3://${models.bucket}/${a.nsfwModel.key}`,
            ...(a.nsfwConfirmModel
              ? { NSFW_CONFIRM_MODEL_S3_URI: pulumi.interpolate`s3://${models.bucket}/${a.nsfwConfirmModel.key}` }
              : { NSFW_CONFIRM_MODEL: 'none' }),
            NSFW_ALLOW_CONVERT: 'false',
            MODEL_CACHE_DIR: '/tmp/models',
            ...telemetryEnv(a.telemetry),
          },
        },
      },
      [...a.nsfwModel.objects, ...(a.nsfwConfirmModel?.objects ?? [])],
    );
  }
  return { fetch, aggregate, safety };
}
