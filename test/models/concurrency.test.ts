import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { FAKE_LABELS, fakeManifest, listTree, projectRoot, serveFiles, sha256Of, tempDir } from './fixtures.js';

interface WorkerResult {
  code: number | null;
  lines: string[];
  stderr: string;
}

/** Several real processes, each a cold start resolving the same model into one shared cache directory. */
describe('models: concurrent cold starts on one cache directory', () => {
  it('download once; every process reads the complete, verified file; nothing half-written is left', async () => {
    const workers = 4;
    const model = randomBytes(2 * 1024 * 1024);
    let ready = 0;
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const server = await serveFiles({
      '/m.onnx': { body: model, chunks: 16, chunkDelayMs: 20, gate },
      '/labels.txt': { body: FAKE_LABELS },
    });
    const tmp = await tempDir('race');
    try {
      const manifest = fakeManifest('race-model', model, { url: `${server.url}/m.onnx`, labelsUrl: `${server.url}/labels.txt` });
      const arg = JSON.stringify({ manifest, cacheDir: tmp.dir });
      const runs = Array.from({ length: workers }, () => {
        const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'test/models/fixtures/resolve-worker.ts'), arg], {
          cwd: projectRoot,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const result: WorkerResult = { code: null, lines: [], stderr: '' };
        let buf = '';
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          const parts = buf.split('\n');
          buf = parts.pop()!;
          for (const line of parts) {
            result.lines.push(line);
            // The download may finish only once every process is inside resolveModel, so they truly race.
            if (line === 'resolving' && ++ready === workers) setTimeout(openGate, 300);
          }
        });
        child.stderr.on('data', (d: Buffer) => (result.stderr += d.toString()));
        return new Promise<WorkerResult>((resolve) =>
          child.on('close', (code) => {
            result.code = code;
            resolve(result);
          }),
        );
      });
      const results = await Promise.all(runs);

      for (const r of results) expect(r.code, r.stderr).to.equal(0);
      const reports = results.map((r) => JSON.parse(r.lines.at(-1)!) as { source: string; read: string });
      for (const rep of reports) expect(rep.read).to.equal(sha256Of(model));
      expect(server.hits.get('/m.onnx'), 'the model was downloaded once').to.equal(1);
      expect(reports.map((r) => r.source).sort()).to.deep.equal(['cache', 'cache', 'cache', 'url']);
      expect(await listTree(tmp.dir)).to.deep.equal([`labels/${sha256Of(FAKE_LABELS)}.txt`, `race-model/${sha256Of(model)}.onnx`]);
    } finally {
      openGate();
      await server.close();
      await tmp.cleanup();
    }
  });
});
