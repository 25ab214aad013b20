import { expect } from 'chai';
import { FetchBlocked } from '../../functions/shared/errors.js';
import { telemetryConfigFromEnv } from '../../functions/shared/telemetry/config.js';
import { createTelemetry, type Telemetry } from '../../functions/shared/telemetry/create.js';
import { correlationOf, lambdaEntry } from '../../functions/shared/telemetry/entry.js';
import { redactUrls } from '../../functions/shared/telemetry/redact.js';
import { ConfigError } from '../../functions/shared/errors.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Verdict } from '../../functions/shared/contracts/index.js';
import { SqliteVerdictStore } from '../../functions/shared/verdict-store/index.js';
import { reviewIdFor } from '../../functions/shared/verdict-store/rules.js';
import { createVerdictStepHandler, verdictStepOf } from '../../functions/verdicts/handler.js';
import { sha, verdict } from '../verdicts/store-contract.js';

/** The real Powertools Logger and Metrics, writing into an array instead of stdout. */
function captured(level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT' = 'INFO'): { t: Telemetry; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const t = createTelemetry({ ...telemetryConfigFromEnv({}), logLevel: level }, { write: (l: string) => lines.push(JSON.parse(l) as Record<string, unknown>) });
  return { t, lines };
}

describe('telemetry: the one entry wrapper', () => {
  it('builds the step once, and again after a failed build', async () => {
    const { t } = captured('SILENT');
    let builds = 0;
    const entry = lambdaEntry(
      'AggregateVerdict',
      () => {
        builds++;
        if (builds === 1) throw new ConfigError('MODERATION_POLICY is not JSON.');
        return async () => ({ ok: true });
      },
      () => t,
    );
    const first = await entry({}).catch((e: Error) => e);
    expect(first).to.be.instanceOf(ConfigError);
    expect(await entry({})).to.deep.equal({ ok: true });
    expect(await entry({})).to.deep.equal({ ok: true });
    expect(builds).to.equal(2);
  });

  it('logs each invocation with its own correlation keys, even when invocations overlap', async () => {
    const { t, lines } = captured();
    const entry = lambdaEntry(
      'ClassifyImage',
      () => async (_e, tt) => {
        await new Promise((r) => setTimeout(r, 5));
        tt!.logger.info('inside');
        return { labels: [] };
      },
      () => t,
    );
    await Promise.all([
      entry({ executionName: 'exec-a', input: { postId: 'a' }, image: { sha256: 'a'.repeat(64) } }),
      entry({ executionName: 'exec-b', input: { postId: 'b' }, image: { sha256: 'b'.repeat(64) } }),
    ]);
    const inside = lines.filter((l) => l.message === 'inside');
    expect(inside.map((l) => [l.execution, l.post_id, l.step]).sort()).to.deep.equal([
      ['exec-a', 'a', 'ClassifyImage'],
      ['exec-b', 'b', 'ClassifyImage'],
    ]);
    expect(lines.filter((l) => l.message === 'ClassifyImage done')).to.have.length(2);
  });

  it('warns on a named error, counts it by name, and hands it on unchanged', async () => {
    const { t, lines } = captured();
    const blocked = new FetchBlocked('169.254.169.254 is link-local: blocked.', { address: '169.254.169.254' });
    const entry = lambdaEntry(
      'FetchImage',
      () => async () => Promise.reject(blocked),
      () => t,
    );
    const err = await entry({ input: { imageUrl: 'http://169.254.169.254/?token=abc' } }).catch((e: Error) => e);
    expect(err).to.equal(blocked);
    const warn = lines.find((l) => l.level === 'WARN')!;
    expect(warn).to.include({ step: 'FetchImage', errorName: 'FetchBlocked' });
    expect(warn.details).to.deep.equal({ address: '169.254.169.254' });
    expect(lines.find((l) => 'StepErrors' in l)).to.include({ step: 'FetchImage', error: 'FetchBlocked', StepErrors: 1 });
  });

  it('logs an unexpected fault at ERROR with its stack, and turns a thrown string into an Error', async () => {
    const { t, lines } = captured('ERROR');
    const entry = lambdaEntry(
      'CheckSafety',
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the point: a step that rejects with a string
      () => async () => Promise.reject('boom'),
      () => t,
    );
    const err = await entry({}).catch((e: Error) => e);
    expect(err).to.be.instanceOf(Error).with.property('message', 'boom');
    const logged = lines.filter((l) => l._aws === undefined);
    expect(logged).to.have.length(1);
    expect(logged[0]).to.include({ level: 'ERROR', errorName: 'Error' });
    // Lambda keeps a JSON line at or above its application log level, and counts one without "level" as
    // INFO: the metric lines carry the configured level, so at ERROR they are not dropped with the INFO logs.
    const metrics = lines.filter((l) => l._aws !== undefined);
    expect(metrics.map((l) => Object.keys(l).find((k) => k === 'StepDuration' || k === 'StepErrors' || k === 'ColdStart'))).to.have.members([
      'ColdStart',
      'StepDuration',
      'StepErrors',
    ]);
    for (const m of metrics) expect(m.level).to.equal('ERROR');
  });

  it('never writes image bytes or URL secrets, whatever a step logs', async () => {
    const { t, lines } = captured();
    const entry = lambdaEntry(
      'FetchImage',
      () => async (_e, tt) => {
        tt!.logger.info('debugging', { bytes: Buffer.from('\xff\xd8\xffsecret-pixels'), url: 'https://user:pw@cdn.test/a.jpg?X-Amz-Signature=abc#frag' });
        return {};
      },
      () => t,
    );
    await entry({});
    const text = JSON.stringify(lines);
    expect(text).not.to.match(/secret-pixels|X-Amz-Signature|user:pw/);
    expect(lines.find((l) => l.message === 'debugging')).to.include({
      bytes: `[${Buffer.byteLength('\xff\xd8\xffsecret-pixels')} bytes]`,
      url: 'https://cdn.test/a.jpg?…',
    });
    expect(redactUrls('see s3://bucket/key.jpg and http://h/x?y=1 now')).to.equal('see s3://bucket/key.jpg and http://h/x?… now');
  });

  it('names the verdict step by its action, never by anything else a payload carries', () => {
    expect(verdictStepOf({ action: 'record' })).to.equal('RecordVerdict');
    expect(verdictStepOf({ action: 'expireReview' })).to.equal('ReviewExpired');
    for (const odd of [{ action: 'toString' }, { action: '__proto__' }, { action: 3 }, null, 'x']) expect(verdictStepOf(odd)).to.equal('LookupVerdict');
  });

  it('reads the correlation keys from every step payload shape', () => {
    expect(correlationOf({ input: { imageUrl: 'x', postId: 'p' }, executionName: 'e' })).to.deep.equal({ execution: 'e', post_id: 'p' });
    expect(correlationOf({ image: { sha256: 'f'.repeat(64) } })).to.deep.equal({ image_sha256: 'f'.repeat(64) });
    expect(correlationOf('not an object')).to.deep.equal({});
  });

  it('takes the level from POWERTOOLS_LOG_LEVEL, then LOG_LEVEL, and refuses a bad one', () => {
    expect(telemetryConfigFromEnv({ LOG_LEVEL: 'debug' }).logLevel).to.equal('DEBUG');
    expect(telemetryConfigFromEnv({ LOG_LEVEL: 'DEBUG', POWERTOOLS_LOG_LEVEL: 'warn' }).logLevel).to.equal('WARN');
    expect(telemetryConfigFromEnv({}).logLevel).to.equal('INFO');
    expect(() => telemetryConfigFromEnv({ LOG_LEVEL: 'LOUD' })).to.throw(ConfigError, /LOG_LEVEL/);
    expect(telemetryConfigFromEnv({ POWERTOOLS_METRICS_NAMESPACE: 'X', POWERTOOLS_SERVICE_NAME: 'y' })).to.include({
      namespace: 'X',
      service: 'y',
      tracing: false,
    });
  });

  it('never writes a task token, not even when a failing AWS call echoes it in its error message', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'token-log-'));
    const store = await SqliteVerdictStore.open(dir);
    try {
      const token = `AQCEAAAAKgAAAAMAAAAAAAAAAe${Buffer.from('resumes the waiting execution '.repeat(20)).toString('base64')}`;
      const image = { uri: 'file:///x.jpeg', key: 'x.jpeg', sha256: sha('token-photo'), bytes: 1, format: 'jpeg', width: 1, height: 1 };
      const held = verdict('review', { image } as Partial<Verdict>);
      const at = new Date().toISOString();
      // A moderator already decided: the next RequestReview resumes its execution at once with SendTaskSuccess.
      await store.requestReview({ sha256: image.sha256, ruleset: 'r1', verdict: held, at, deadline: at });
      await store.decideReview(reviewIdFor(image.sha256, 'r1'), { decision: 'approve', by: 'alice', at });
      const callbacks = {
        sendSuccess: async (t: string) => Promise.reject(Object.assign(new Error(`Invalid Token: '${t}' is not valid`), { name: 'InvalidToken' })),
      };
      const { t, lines } = captured('DEBUG');
      const entry = lambdaEntry(
        verdictStepOf,
        () => createVerdictStepHandler({ store, callbacks }),
        () => t,
      );
      const event = { action: 'requestReview', ruleset: 'r1', verdict: held, input: { imageUrl: 'x', postId: 'p' }, timeoutSeconds: 60, taskToken: token };
      const err = await entry(event).catch((e: Error) => e);
      expect(err).to.have.property('name', 'InvalidToken');
      const text = JSON.stringify(lines);
      expect(lines.find((l) => l.level === 'ERROR')).to.include({ step: 'RequestReview', errorName: 'InvalidToken' });
      expect(text).to.contain('[redacted]');
      expect(text).not.to.contain(token.slice(0, 40));
      // And a field named like a token is dropped whatever its length.
      t.logger.info('x', { taskToken: 'short' });
      expect(lines.at(-1)).to.include({ taskToken: '[redacted]' });
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
