/**
 * The Pulumi program: `pulumi up` deploys the moderation workflow (see infra/stack.ts for the story).
 * Configuration: Pulumi.<stack>.yaml, validated in infra/config.ts.
 */
import * as pulumi from '@pulumi/pulumi';
import { loadStackConfig } from './infra/config.js';
import { createStack } from './infra/stack.js';

const config = loadStackConfig();
if (config.runtimeWarning) void pulumi.log.warn(config.runtimeWarning);
const outputs = await createStack(config);

export const stateMachineArn = outputs.stateMachineArn;
export const consoleUrl = outputs.consoleUrl;
export const workflowType = outputs.workflowType;
export const stagingBucketName = outputs.stagingBucketName;
export const modelBucketName = outputs.modelBucketName;
export const modelS3Uri = outputs.modelS3Uri;
export const functionNames = outputs.functionNames;
export const publisherPolicyArn = outputs.publisherPolicyArn;
export const alarmTopicArn = outputs.alarmTopicArn;
