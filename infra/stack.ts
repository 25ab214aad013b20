/**
 * The whole stack as one function, so `index.ts` stays a few lines and tests build it under mocks.
 * Reads top to bottom: network → storage → model uploads → image and classifier → other functions →
 * state machine → HTTP API → publisher access → alarms.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { createPublisherPolicy } from './access.js';
import { createAlarms } from './alarms.js';
import { COST_TAG, createBudget } from './budget.js';
import { createDashboard } from './dashboard.js';
import { createClassifier } from './classifier.js';
import type { StackConfig } from './config.js';
import { createFunctions } from './functions.js';
import { createHttpApi } from './http-api.js';
import { createImage } from './build/image.js';
import { resolveLocalModel, resolveLocalNsfwModel, type ModelFileResolver, type NsfwFileResolver } from './model-files.js';
import { uploadClassifierModel, uploadNsfwModel } from './model-uploads.js';
import { createNetwork } from './network.js';
import { createProvisionedConcurrency } from './provisioned-concurrency.js';
import { createStorage } from './storage.js';
import { rulesetOf } from '../functions/shared/verdict-store/ruleset.js';
import { NSFW_CONFIRM } from '../functions/safety/nsfw-store.js';
import { engineModelRef } from '../functions/safety/local.js';
import { createReviewExpiredAlarm, createVerdicts } from './review.js';
import { createWorkflow } from './workflow.js';

export interface StackDeps {
  models?: { model: ModelFileResolver; nsfw: NsfwFileResolver };
}

export async function createStack(cfg: StackConfig, deps: StackDeps = {}) {
  const prefix = `${pulumi.getProject()}-${pulumi.getStack()}`
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 40);
  // stack-id: one value per project and stack, the cost allocation tag the budget filters on.
  const tags = { project: pulumi.getProject(), stack: pulumi.getStack(), [COST_TAG]: `${pulumi.getProject()}/${pulumi.getStack()}` };
  const accountId = aws.getCallerIdentityOutput().accountId;
  const resolve = deps.models ?? { model: resolveLocalModel, nsfw: resolveLocalNsfwModel };

  const telemetry = { logLevel: cfg.logLevel, metricsNamespace: cfg.metricsNamespace, serviceName: cfg.serviceName };
  const network = createNetwork(prefix, cfg.region, tags);
  const storage = createStorage(prefix, network, cfg, tags);

  const model = await uploadClassifierModel(prefix, storage, cfg.modelName, resolve.model);
  const nsfwModel = cfg.safetyEngine === 'local' ? await uploadNsfwModel(prefix, storage, resolve.nsfw) : undefined;
  // The second opinion the local engine asks when the first model reports something (functions/safety/local.ts).
  const nsfwConfirmModel = cfg.safetyEngine === 'local' ? await uploadNsfwModel(prefix, storage, resolve.nsfw, NSFW_CONFIRM) : undefined;

  const image = createImage(prefix, cfg.architecture, cfg.runtime.nodeMajor, tags);
  const warm = cfg.classifierProvisionedConcurrency > 0 || cfg.provisionedConcurrencySchedule.length > 0;
  const classifier = createClassifier({
    prefix,
    image,
    network,
    storage,
    model,
    memoryMb: cfg.classifierMemoryMb,
    architecture: cfg.architecture,
    reservedConcurrency: cfg.reservedConcurrency,
    publish: warm,
    telemetry,
    logRetentionDays: cfg.logRetentionDays,
    region: cfg.region,
    accountId,
    tags,
  });

  const provisioned = warm
    ? createProvisionedConcurrency({ prefix, fn: classifier.fn, baseline: cfg.classifierProvisionedConcurrency, schedule: cfg.provisionedConcurrencySchedule })
    : undefined;

  const fns = createFunctions({
    prefix,
    image,
    runtime: cfg.runtime,
    storage,
    architecture: cfg.architecture,
    safetyEngine: cfg.safetyEngine,
    safetyMinConfidence: cfg.safetyMinConfidence,
    nsfwModel,
    nsfwConfirmModel,
    moderationPolicyJson: cfg.moderationPolicyJson,
    reservedConcurrency: cfg.reservedConcurrency,
    telemetry,
    logRetentionDays: cfg.logRetentionDays,
    tags,
  });

  const verdicts = createVerdicts({
    prefix,
    reviewEmail: cfg.reviewEmail,
    architecture: cfg.architecture,
    telemetry,
    runtime: cfg.runtime,
    logRetentionDays: cfg.logRetentionDays,
    tags,
    // EXPRESS queues reviews, so the schedule ends them; in STANDARD the waiting task does, and the schedule
    // is the net for a review whose execution was stopped or whose ReviewExpired failed (an hour later).
    sweep: { rateMinutes: cfg.reviewSweepMinutes, outcome: cfg.reviewTimeoutOutcome },
  });
  // What deployed verdicts are recorded under: a new model, safety engine or policy moderates known photos again.
  const ruleset = rulesetOf({
    classifier: { name: cfg.modelName, sha256: model.sha256 },
    safety: nsfwModel
      ? { engine: 'local', model: engineModelRef(nsfwModel, nsfwConfirmModel) }
      : { engine: 'rekognition', minConfidence: cfg.safetyMinConfidence },
    policy: cfg.moderationPolicy,
  });

  const workflow = createWorkflow({
    prefix,
    type: cfg.workflowType,
    fetch: fns.fetch.fn,
    classify: classifier.fn,
    classifyInvokeArn: provisioned?.alias.arn,
    aggregate: fns.aggregate.fn,
    safety: fns.safety?.fn,
    verdicts: {
      fn: verdicts.fn.fn,
      ruleset,
      // EXPRESS executions last 5 minutes and cannot wait for a token: their reviews are queued.
      review: {
        mode: cfg.workflowType === 'STANDARD' ? 'wait' : 'queue',
        timeoutSeconds: cfg.reviewTimeoutSeconds,
        heartbeatSeconds: cfg.reviewHeartbeatSeconds,
        timeoutOutcome: cfg.reviewTimeoutOutcome,
      },
    },
    safetyMinConfidence: cfg.safetyMinConfidence,
    stagingBucket: storage.staging.bucket,
    logRetentionDays: cfg.logRetentionDays,
    region: cfg.region,
    accountId,
    tags,
  });
  const httpApi = cfg.httpApi
    ? createHttpApi({
        prefix,
        cfg,
        stateMachine: workflow.stateMachine,
        verdictTable: verdicts.table,
        stagingBucket: storage.staging.bucket,
        fetchRole: fns.fetch.role,
        ruleset,
        runtime: cfg.runtime,
        telemetry,
        region: cfg.region,
        accountId,
        tags,
      })
    : undefined;
  const publisher = createPublisherPolicy(prefix, workflow.stateMachine, cfg.workflowType, cfg.region, accountId, tags, verdicts.table, httpApi?.invokeArns);
  const rates = { namespace: cfg.metricsNamespace, service: cfg.serviceName, periodSeconds: 3600, minDecisions: cfg.alarmMinDecisions };
  const alarms = createAlarms(
    prefix,
    workflow.stateMachine,
    classifier.fn,
    { ...rates, reviewPercent: cfg.reviewRateAlarmPercent, rejectPercent: cfg.rejectRateAlarmPercent },
    accountId,
    tags,
    { budgets: cfg.monthlyBudgetUsd > 0 },
  );
  const budget =
    cfg.monthlyBudgetUsd > 0 ? createBudget(prefix, cfg.monthlyBudgetUsd, tags[COST_TAG], { arn: alarms.topic.arn, policy: alarms.topicPolicy }) : undefined;
  const reviewExpired = createReviewExpiredAlarm(prefix, alarms.topic, rates, tags);
  const dashboard = createDashboard({
    prefix,
    region: cfg.region,
    rates,
    stateMachine: workflow.stateMachine,
    functionNames: [fns.fetch.fn.name, classifier.fn.name, fns.aggregate.fn.name, verdicts.fn.fn.name, ...(fns.safety ? [fns.safety.fn.name] : [])],
    safetyEngine: cfg.safetyEngine,
  });

  return {
    stateMachineArn: workflow.stateMachine.arn,
    consoleUrl: pulumi.interpolate`https://${cfg.region}.console.aws.amazon.com/states/home?region=${cfg.region}#/statemachines/view/${workflow.stateMachine.arn}`,
    workflowType: cfg.workflowType,
    stagingBucketName: storage.staging.bucket.bucket,
    modelBucketName: storage.models.bucket.bucket,
    modelS3Uri: pulumi.interpolate`s3://${storage.models.bucket.bucket}/${model.key}`,
    functionNames: {
      fetchImage: fns.fetch.fn.name,
      classify: classifier.fn.name,
      aggregate: fns.aggregate.fn.name,
      verdicts: verdicts.fn.fn.name,
      ...(fns.safety ? { checkSafety: fns.safety.fn.name } : {}),
    },
    publisherPolicyArn: publisher.arn,
    ...(httpApi ? { apiUrl: httpApi.url } : {}),
    verdictTableName: verdicts.table.name,
    reviewTopicArn: verdicts.topic.arn,
    reviewerPolicyArn: verdicts.reviewerPolicy.arn,
    reviewExpiredAlarmName: reviewExpired.name,
    reviewSweepRuleName: verdicts.sweep.rule.name,
    ruleset,
    alarmTopicArn: alarms.topic.arn,
    ...(provisioned ? { classifierAliasArn: provisioned.alias.arn } : {}),
    ...(budget ? { budgetName: budget.name } : {}),
    dashboardUrl: pulumi.interpolate`https://${cfg.region}.console.aws.amazon.com/cloudwatch/home?region=${cfg.region}#dashboards/dashboard/${dashboard.dashboardName}`,
  };
}
