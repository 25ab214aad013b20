/**
 * Storage: the model bucket (versioned) and the staging bucket (staged images expire), both private,
 * public access blocked, encrypted, TLS only, owner-enforced; the EFS file system the classifier caches
 * the model on (encrypted, reached through an access point with a POSIX user).
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { Network } from './network.js';
import { AZ_COUNT } from './network.js';

export interface PrivateBucket {
  bucket: aws.s3.Bucket;
  /** Resources the bucket's settings are made of: readers depend on them. */
  settings: pulumi.Resource[];
}

function privateBucket(name: string, opts: { versioned?: boolean; expire?: { prefix: string; days: number }; tags: Record<string, string> }): PrivateBucket {
  const bucket = new aws.s3.Bucket(name, { forceDestroy: !opts.versioned, tags: opts.tags });
  const settings: pulumi.Resource[] = [
    new aws.s3.BucketPublicAccessBlock(`${name}-public-access`, {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    }),
    new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } }),
    new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-sse`, {
      bucket: bucket.id,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' }, bucketKeyEnabled: true }],
    }),
    new aws.s3.BucketPolicy(`${name}-tls-only`, {
      bucket: bucket.id,
      policy: pulumi.jsonStringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyInsecureTransport',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      }),
    }),
  ];
  if (opts.versioned) settings.push(new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: 'Enabled' } }));
  if (opts.expire) {
    settings.push(
      new aws.s3.BucketLifecycleConfiguration(`${name}-expiry`, {
        bucket: bucket.id,
        rules: [
          { id: 'expire-staged-images', status: 'Enabled', filter: { prefix: opts.expire.prefix }, expiration: { days: opts.expire.days } },
          { id: 'abort-incomplete-uploads', status: 'Enabled', filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } },
        ],
      }),
    );
  }
  return { bucket, settings };
}

export const STAGING_PREFIX = 'staging/';
/** Where the Lambda mounts the EFS access point; the model store's cache directory. */
export const MODEL_MOUNT_PATH = '/mnt/models';
const MODEL_UID = 1000;

export interface Storage {
  models: PrivateBucket;
  staging: PrivateBucket;
  fileSystem: aws.efs.FileSystem;
  accessPoint: aws.efs.AccessPoint;
  mountTargets: aws.efs.MountTarget[];
}

export function createStorage(
  prefix: string,
  network: Network,
  cfg: { stagingExpirationDays: number; efsThroughputMode: 'elastic' | 'bursting'; efsBackups: boolean },
  tags: Record<string, string>,
): Storage {
  const models = privateBucket(`${prefix}-models`, { versioned: true, tags });
  const staging = privateBucket(`${prefix}-staging`, { expire: { prefix: STAGING_PREFIX, days: cfg.stagingExpirationDays }, tags });

  const fileSystem = new aws.efs.FileSystem(`${prefix}-model-cache`, {
    encrypted: true,
    throughputMode: cfg.efsThroughputMode,
    // A cache that refills itself from S3: nothing to back up unless asked.
    tags,
  });
  new aws.efs.BackupPolicy(`${prefix}-model-cache-backup`, { fileSystemId: fileSystem.id, backupPolicy: { status: cfg.efsBackups ? 'ENABLED' : 'DISABLED' } });
  const accessPoint = new aws.efs.AccessPoint(`${prefix}-model-cache`, {
    fileSystemId: fileSystem.id,
    posixUser: { uid: MODEL_UID, gid: MODEL_UID },
    rootDirectory: { path: '/models', creationInfo: { ownerUid: MODEL_UID, ownerGid: MODEL_UID, permissions: '0750' } },
    tags,
  });
  const mountTargets = Array.from(
    { length: AZ_COUNT },
    (_, i) =>
      new aws.efs.MountTarget(`${prefix}-model-cache-${i}`, {
        fileSystemId: fileSystem.id,
        subnetId: network.subnetIds.apply((ids) => {
          if (!ids[i]) throw new Error(`The VPC has ${ids.length} isolated subnets; ${AZ_COUNT} are needed for the EFS mount targets.`);
          return ids[i];
        }),
        securityGroups: [network.efsSg.id],
      }),
  );
  return { models, staging, fileSystem, accessPoint, mountTargets };
}
