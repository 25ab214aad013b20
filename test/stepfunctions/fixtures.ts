/**
 * What the deployed-stack tests share: the real local workflow behind the Step Functions stand-in, the
 * shared photos served on loopback (what a --base-url host does), and a real SFNClient pointed at the
 * stand-in.
 */
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLocalWorkflow, type LocalWorkflow } from '../../workflows/local/workflow.js';
import { sharedDir } from '../workflow/fixtures.js';
import { SFNClient } from '@aws-sdk/client-sfn';
import { STAND_IN_REGION, startStepFunctionsStandIn, type StandInOptions, type StepFunctionsStandIn } from './stand-in.js';

/** Rows of ../shared/images/labels.tsv, as written there (file relative to it, expected, category). */
export async function sharedLabelRows(files: string[]): Promise<string[]> {
  const rows = (await readFile(path.join(sharedDir, 'images/labels.tsv'), 'utf8')).split(/\r?\n/);
  return files.map((f) => {
    const row = rows.find((r) => r.split('\t')[0] === f);
    if (!row) throw new Error(`${f} is not in ../shared/images/labels.tsv`);
    return row;
  });
}

/** The real SDK client, reaching the stand-in (StartSyncExecution's sync- host prefix is off on loopback). */
export function standInClient(standIn: StepFunctionsStandIn): SFNClient {
  return new SFNClient({
    region: STAND_IN_REGION,
    endpoint: standIn.endpoint,
    disableHostPrefix: true,
    credentials: { accessKeyId: 'stand-in', secretAccessKey: 'stand-in' },
  });
}

export interface StackFixture {
  dir: string;
  /** The labels file's directory, holding links to the shared photos (never copies). */
  photosRoot: string;
  /** http://127.0.0.1:<port>/: serves photosRoot, as the user's --base-url host would. */
  baseUrl: string;
  /** Requests the photo host answered, by path. */
  hits: string[];
  workflow: LocalWorkflow;
  standIn: StepFunctionsStandIn;
  dataDir: string;
  close(): Promise<void>;
}

export async function startStackFixture(files: string[], opts: StandInOptions = {}): Promise<StackFixture> {
  const dir = await mkdtemp(path.join(tmpdir(), 'stack-eval-'));
  const photosRoot = path.join(dir, 'photos');
  for (const f of files) {
    await mkdir(path.dirname(path.join(photosRoot, f)), { recursive: true });
    await symlink(path.join(sharedDir, 'images', f), path.join(photosRoot, f));
  }
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname).slice(1);
    hits.push(rel);
    const file = path.resolve(photosRoot, rel);
    if (!file.startsWith(photosRoot + path.sep)) return void res.writeHead(404).end();
    readFile(file).then(
      (body) => res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': body.length }).end(body),
      () => res.writeHead(404).end('not found'),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const dataDir = path.join(dir, 'store');
  const workflow = await createLocalWorkflow({
    stagingDir: path.join(dir, 'staging'),
    dataDir,
    safetyEngine: 'local',
    env: { ...process.env, VERDICT_TABLE: '' },
    fetch: { allowHosts: ['127.0.0.1'] },
  });
  const standIn = await startStepFunctionsStandIn(workflow, opts);
  return {
    dir,
    photosRoot,
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    hits,
    workflow,
    standIn,
    dataDir,
    async close() {
      await standIn.close();
      await workflow.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
