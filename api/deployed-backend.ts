/**
 * The deployed API's backend, behind the routes API Gateway does not answer itself: an execution's
 * status (DescribeExecution has no HTTP API service integration), the verdict table, and presigned
 * uploads into the staging bucket. POST /moderations is API Gateway's direct Step Functions integration
 * (infra/http-api.ts), so this backend has no moderate().
 */
import { randomUUID } from 'node:crypto';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Ruleset } from '../functions/shared/contracts/index.js';
import { EXECUTION_STATUSES, type ModerationStatus, type UploadTicket } from '../functions/shared/contracts/api.js';
import { ModerationNotFound, VerdictNotFound } from '../functions/shared/errors.js';
import type { VerdictStore } from '../functions/shared/verdict-store/store.js';
import { recordedVerdict } from '../client/index.js';
import type { ApiBackend } from './app.js';

export interface DeployedBackendDeps {
  stateMachineArn: string;
  /** EXPRESS executions cannot be described (and POST already answered their verdict): no GET /moderations/{id}. */
  workflowType: 'STANDARD' | 'EXPRESS';
  verdicts: VerdictStore;
  ruleset: Ruleset;
  uploads: { bucket: string; prefix: string; expiresSeconds: number; maxBytes: number };
  sfn?: SFNClient;
  s3?: S3Client;
}

const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/** The execution ARN for an id (an ARN of this state machine's executions, or a bare execution name), or undefined. */
export function executionArnOf(id: string, stateMachineArn: string): string | undefined {
  const executions = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:`;
  if (id.startsWith(executions)) return EXECUTION_NAME.test(id.slice(executions.length)) ? id : undefined;
  return EXECUTION_NAME.test(id) ? executions + id : undefined;
}

export function deployedBackend(d: DeployedBackendDeps): ApiBackend {
  const sfn = d.sfn ?? new SFNClient({});
  const s3 = d.s3 ?? new S3Client({});
  const backend: ApiBackend = {
    async getVerdict(sha256) {
      const v = await recordedVerdict(d.verdicts, { sha256 }, d.ruleset);
      if (!v) throw new VerdictNotFound(`No verdict is recorded for ${sha256} under this stack's ruleset: POST /moderations it first.`);
      return v;
    },

    async createUpload({ contentType }): Promise<UploadTicket> {
      const key = `${d.uploads.prefix}${randomUUID()}`;
      const expiresAt = new Date(Date.now() + d.uploads.expiresSeconds * 1000);
      const uploadUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket: d.uploads.bucket, Key: key, ContentType: contentType }), {
        expiresIn: d.uploads.expiresSeconds,
      });
      return {
        uploadUrl,
        method: 'PUT',
        headers: { 'Content-Type': contentType },
        imageUrl: `s3://${d.uploads.bucket}/${key}`,
        expiresAt: expiresAt.toISOString(),
        maxBytes: d.uploads.maxBytes,
      };
    },
  };
  if (d.workflowType === 'STANDARD') {
    backend.getModeration = async (id): Promise<ModerationStatus> => {
      const executionArn = executionArnOf(id, d.stateMachineArn);
      const missing = () =>
        new ModerationNotFound(`No moderation ${id.slice(0, 200)} on this stack: use the executionArn (or Location) its POST /moderations answered.`);
      if (!executionArn) throw missing();
      let res;
      try {
        res = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      } catch (err) {
        if ((err as Error).name === 'ExecutionDoesNotExist') throw missing();
        throw err;
      }
      const status = (EXECUTION_STATUSES as readonly string[]).includes(res.status ?? '') ? (res.status as ModerationStatus['status']) : 'RUNNING';
      return {
        id: executionArn,
        status,
        ...(res.startDate ? { startedAt: res.startDate.toISOString() } : {}),
        ...(res.stopDate ? { stoppedAt: res.stopDate.toISOString() } : {}),
        ...(status === 'SUCCEEDED' && res.output ? { verdict: JSON.parse(res.output) as Record<string, unknown> } : {}),
        ...(res.error ? { error: res.error } : {}),
      };
    };
  }
  return backend;
}
