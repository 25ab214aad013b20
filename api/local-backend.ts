/**
 * The local server's backend: the embedded engine (one LocalWorkflow, models loaded once), the local
 * verdict store, and the CLI's execution log, so a moderation made over HTTP answers the record
 * `npm start -- --json` prints and shows in `npm run console` like one made from the terminal.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ModerationInput } from '../functions/shared/contracts/index.js';
import type { ModerationStatus } from '../functions/shared/contracts/api.js';
import { InvalidInput, ModerationNotFound, VerdictNotFound } from '../functions/shared/errors.js';
import { recordedVerdict } from '../client/index.js';
import { toRecord, type ExecutionLog } from '../workflows/local/execution-log.js';
import type { LocalWorkflow } from '../workflows/local/workflow.js';
import { toJsonRecord } from '../cli/report.js';
import type { ApiBackend, ModerationAnswer } from './app.js';

export interface LocalBackendDeps {
  workflow: Pick<LocalWorkflow, 'run' | 'definition' | 'verdicts' | 'ruleset'>;
  log: ExecutionLog;
  /** Where posted bytes wait while FetchImage reads them (it stages its own validated copy). */
  uploadsDir: string;
}

export async function localBackend(d: LocalBackendDeps): Promise<ApiBackend> {
  // An unwritable directory is a start-up error, not a 500 on the first upload.
  await mkdir(d.uploadsDir, { recursive: true, mode: 0o700 });

  async function run(input: ModerationInput, shownAs: string): Promise<ModerationAnswer> {
    const startedAt = new Date();
    const execution = await d.workflow.run(input);
    const record = toRecord(input, d.workflow.definition, { execution }, startedAt);
    await d.log.save(record);
    return { status: 200, body: toJsonRecord({ input: shownAs, execution }), location: `/moderations/${record.id}` };
  }

  return {
    async moderate(input) {
      // As deployed: the server fetches URLs; a path would let any token holder point it at local files.
      if (!/^https?:\/\//i.test(input.imageUrl))
        throw new InvalidInput(
          'imageUrl must be an http(s):// URL here; to moderate a local file, POST its bytes with Content-Type image/jpeg, image/png, ...',
        );
      return run(input, input.imageUrl);
    },

    async moderateBytes(bytes, { postId, reModerate }) {
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      // Unique per request: two uploads of the same photo at once must not remove each other's file.
      const file = path.join(d.uploadsDir, `${sha256}.${randomBytes(4).toString('hex')}`);
      await writeFile(file, bytes, { flag: 'wx', mode: 0o600 });
      try {
        return await run({ imageUrl: file, ...(postId ? { postId } : {}), ...(reModerate ? { reModerate } : {}) }, `upload:${sha256}`);
      } finally {
        await rm(file, { force: true });
      }
    },

    async getModeration(id): Promise<ModerationStatus> {
      const r = await d.log.get(id);
      if (!r) throw new ModerationNotFound(`No local moderation ${id}: use the id in the Location of its POST /moderations answer.`);
      return {
        id: r.id,
        status: r.status === 'FAILED' ? 'FAILED' : 'SUCCEEDED',
        startedAt: r.startedAt,
        ...(r.verdict ? { verdict: r.verdict as unknown as Record<string, unknown> } : {}),
        ...(r.error ? { error: r.error.Error } : {}),
      };
    },

    async getVerdict(sha256) {
      const v = await recordedVerdict(d.workflow.verdicts, { sha256 }, d.workflow.ruleset);
      if (!v) throw new VerdictNotFound(`No verdict is recorded for ${sha256} under this server's ruleset: POST the image to /moderations first.`);
      return v;
    },
  };
}
