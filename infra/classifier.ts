/** The classifier Lambda: in the VPC, the model cached on EFS (seeded from S3 on the first cold start). */
import * as pulumi from '@pulumi/pulumi';
import type { Statement } from './iam.js';
import type { FunctionsImage } from './build/image.js';
import { lambdaWith, type LambdaSettings } from './lambda.js';
import { telemetryEnv } from './log-groups.js';
import type { Network } from './network.js';
import type { UploadedClassifierModel } from './model-uploads.js';
import { MODEL_MOUNT_PATH, STAGING_PREFIX, type Storage } from './storage.js';

export interface ClassifierArgs extends LambdaSettings {
  prefix: string;
  image: FunctionsImage;
  network: Network;
  storage: Storage;
  model: UploadedClassifierModel;
  memoryMb: number;
  reservedConcurrency: number;
  /** Publish a version on every deploy (provisioned concurrency needs one: infra/provisioned-concurrency.ts). */
  publish: boolean;
  region: string;
  accountId: pulumi.Input<string>;
}

export function createClassifier(a: ClassifierArgs) {
  const { models, staging, fileSystem, accessPoint } = a.storage;
  const eni = pulumi.interpolate`arn:aws:ec2:${a.region}:${a.accountId}:network-interface/*`;
  const statements: Statement[] = [
    {
      Sid: 'ReadTheModelAndItsLabels',
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      Resource: [pulumi.interpolate`${models.bucket.arn}/${a.model.key}`, pulumi.interpolate`${models.bucket.arn}/${a.model.labelsKey}`],
    },
    { Sid: 'ReadStagedImages', Effect: 'Allow', Action: ['s3:GetObject'], Resource: pulumi.interpolate`${staging.bucket.arn}/${STAGING_PREFIX}*` },
    {
      Sid: 'MountTheModelCache',
      Effect: 'Allow',
      Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
      Resource: fileSystem.arn,
      Condition: { StringEquals: { 'elasticfilesystem:AccessPointArn': accessPoint.arn } },
    },
    {
      Sid: 'CreateVpcNetworkInterfaces',
      Effect: 'Allow',
      Action: ['ec2:CreateNetworkInterface'],
      Resource: [
        eni,
        ...[0, 1].map((i) => pulumi.interpolate`arn:aws:ec2:${a.region}:${a.accountId}:subnet/${a.network.subnetIds.apply((ids) => ids[i] ?? '')}`),
        pulumi.interpolate`arn:aws:ec2:${a.region}:${a.accountId}:security-group/${a.network.classifierSg.id}`,
      ],
    },
    {
      Sid: 'ManageOwnNetworkInterfaces',
      Effect: 'Allow',
      Action: ['ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
      Resource: eni,
    },
    // As AWSLambdaVPCAccessExecutionRole (v3, 2024) lists them: Lambda checks the subnets too. EC2 Describe* take no resource type.
    {
      Sid: 'DescribeNetworkInterfacesAndSubnetsNoResourceLevelPermissions',
      Effect: 'Allow',
      Action: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
      Resource: '*',
    },
  ];

  return lambdaWith(
    a.prefix,
    'classify',
    a,
    statements,
    {
      packageType: 'Image',
      imageUri: a.image.imageUri,
      imageConfig: { commands: ['classify.handler'] },
      memorySize: a.memoryMb,
      // A cold start downloads the model to EFS once (25 MB from S3 through the gateway endpoint).
      timeout: 60,
      reservedConcurrentExecutions: a.reservedConcurrency,
      publish: a.publish,
      fileSystemConfig: { arn: accessPoint.arn, localMountPath: MODEL_MOUNT_PATH },
      vpcConfig: { subnetIds: a.network.subnetIds, securityGroupIds: [a.network.classifierSg.id] },
      environment: {
        variables: {
          STAGING_BUCKET: staging.bucket.bucket,
          STAGING_PREFIX,
          MODEL_NAME: a.model.name,
          MODEL_S3_URI: pulumi.interpolate`s3://${models.bucket.bucket}/${a.model.key}`,
          MODEL_SHA256: a.model.sha256,
          MODEL_CACHE_DIR: MODEL_MOUNT_PATH,
          // V8's compile cache of the handler bundle beside the model on EFS: a new sandbox imports it in
          // ~165 ms instead of ~275 (bench/cold-init.mjs); Node keys the files by its version and skips an unwritable dir.
          NODE_COMPILE_CACHE: `${MODEL_MOUNT_PATH}/.node-compile-cache`,
          MODEL_ALLOW_DOWNLOAD: 'false',
          ...telemetryEnv(a.telemetry),
        },
      },
    },
    // EFSMountFailureException otherwise: the mount targets must exist before the function (docs/decisions.md, "Infrastructure").
    [...a.storage.mountTargets, ...a.model.objects],
  );
}
