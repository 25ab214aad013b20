/**
 * `npm run serve` end to end: the real server on loopback (started by its own main, whose printed URL and
 * token are what the tests use), the real models and embedded engine, real photos posted as bytes and
 * by URL from a loopback image server, the real SQLite verdict store. Compared with `npm start --json`.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { main as serveMain, type RunningApi } from '../../api/main.js';
import { main as cliMain } from '../../cli/moderate.js';
import { captureIo, photo, startFixtureServer, type FixtureServer } from '../workflow/fixtures.js';

const PHOTO = 'n01440764_tench.JPEG';

describe('npm run serve: the local HTTP API (real server, engine, models, store)', function () {
  this.timeout(240_000);
  let dir: string;
  let api: RunningApi;
  let printed: { baseUrl: string; token: string };
  let images: FixtureServer;
  let bytes: Buffer;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'api-serve-'));
    images = await startFixtureServer();
    bytes = await readFile(photo(PHOTO));
    const io = captureIo({ ...process.env, FETCH_ALLOW_HOSTS: '127.0.0.1' });
    const result = await serveMain(['--port', '0', '--data-dir', path.join(dir, 'data'), '--staging-dir', path.join(dir, 'staging')], io);
    if (typeof result === 'number') throw new Error(`serve exited ${result}: ${io.err()}`);
    api = result;
    // The interface other tools rely on: the base URL and the token, as printed.
    const url = /(http:\/\/127\.0\.0\.1:\d+)\n/.exec(io.out());
    const token = /token: (\S+)/.exec(io.out());
    expect(url, io.out()).to.not.equal(null);
    expect(token, io.out()).to.not.equal(null);
    printed = { baseUrl: url![1], token: token![1] };
  });
  after(async () => {
    await api?.close();
    await images?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const call = (route: string, init: RequestInit = {}, token: string | null = printed.token) =>
    fetch(`${printed.baseUrl}${route}`, { ...init, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers ?? {}) } });
  const json = async (res: Response) => (await res.json()) as Record<string, unknown>;

  it('prints a loopback base URL with a free port and a fresh token', () => {
    expect(printed.baseUrl).to.equal(api.baseUrl);
    expect(printed.baseUrl).to.not.match(/:0$/);
    expect(printed.token).to.equal(api.token).and.have.length.at.least(40);
  });

  let location: string;
  let uploaded: Record<string, unknown>;

  it('moderates a real photo posted as image/jpeg bytes: 200 and the record npm start --json prints', async () => {
    const res = await call('/moderations', { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: bytes });
    expect(res.status).to.equal(200);
    uploaded = await json(res);
    location = res.headers.get('location') ?? '';
    expect(location).to.match(/^\/moderations\/\S+$/);

    const io = captureIo(process.env);
    const code = await cliMain(
      ['--json', '--no-record', '--data-dir', path.join(dir, 'cli-data'), '--staging-dir', path.join(dir, 'cli-staging'), photo(PHOTO)],
      io,
    );
    expect(code, io.err()).to.equal(0);
    const cli = JSON.parse(io.out().trim()) as Record<string, unknown>;
    // Same keys, same verdict; only what names the input and the clock differ.
    expect(Object.keys(uploaded)).to.deep.equal(Object.keys(cli));
    for (const key of ['status', 'decision', 'decidedBy', 'reasons', 'seoTags', 'altText', 'labels', 'moderation', 'model'] as const) {
      expect(uploaded[key], key).to.deep.equal(cli[key]);
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect((uploaded.image as { sha256: string }).sha256).to.equal(sha256);
    expect(uploaded.input).to.equal(`upload:${sha256}`);
  });

  it('reads the moderation back at its Location, and the verdict by the image sha256', async () => {
    const status = await json(await call(location));
    expect(status.status).to.equal('SUCCEEDED');
    expect((status.verdict as { decision: string }).decision).to.equal(uploaded.decision);

    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const res = await call(`/verdicts/${sha256}`);
    expect(res.status).to.equal(200);
    const verdict = await json(res);
    expect(verdict.decision).to.equal(uploaded.decision);
    expect(verdict.decidedBy).to.equal('policy');
    expect(verdict.labels).to.deep.equal(uploaded.labels);
  });

  it('moderates JSON { imageUrl } by URL, as the deployed API does', async () => {
    const res = await call('/moderations', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ imageUrl: `${images.origin}/photo/${PHOTO}`, postId: 'post-1' }),
    });
    expect(res.status, JSON.stringify(await res.clone().json())).to.equal(200);
    const record = await json(res);
    expect(record.decision).to.equal(uploaded.decision);
    expect((record.image as { sha256: string }).sha256).to.equal((uploaded.image as { sha256: string }).sha256);
  });

  it('refuses malformed requests with named 4xx errors, never a 500', async () => {
    const post = (contentType: string, body: RequestInit['body']) => call('/moderations', { method: 'POST', headers: { 'content-type': contentType }, body });
    const cases: Array<[string, Promise<Response>, number, string, RegExp]> = [
      ['not JSON', post('application/json', '{"imageUrl":'), 400, 'InvalidInput', /not JSON/],
      ['empty body', post('application/json', ''), 400, 'InvalidInput', /empty/],
      ['imageUrl a number', post('application/json', '{"imageUrl":5}'), 400, 'InvalidInput', /imageUrl/],
      ['no imageUrl', post('application/json', '{"postId":"p"}'), 400, 'InvalidInput', /imageUrl/],
      ['a JSON array', post('application/json', '[]'), 400, 'InvalidInput', /Expected/],
      ['a local path', post('application/json', JSON.stringify({ imageUrl: photo(PHOTO) })), 400, 'InvalidInput', /http\(s\)/],
      ['empty image', post('image/png', new Uint8Array(0)), 400, 'InvalidInput', /empty/],
      ['text body', post('text/plain', 'hello'), 415, 'UnsupportedMediaType', /image\/jpeg/],
      ['no content type', call('/moderations', { method: 'POST', body: new Blob([bytes]) }), 415, 'UnsupportedMediaType', /Content-Type/],
      ['bad sha256', call('/verdicts/not-a-hash'), 400, 'InvalidInput', /64 lowercase hex/],
      ['unknown sha256', call(`/verdicts/${'0'.repeat(64)}`), 404, 'VerdictNotFound', /POST the image/],
      ['unknown moderation', call('/moderations/20260101T000000000Z-00000000'), 404, 'ModerationNotFound', /Location/],
      ['unknown route', call('/classify-image', { method: 'POST' }), 404, 'NotFound', /openapi/],
    ];
    for (const [what, pending, status, error, message] of cases) {
      const res = await pending;
      const body = await json(res);
      expect(res.status, what).to.equal(status);
      expect(body.error, what).to.equal(error);
      expect(body.message, what).to.match(message);
    }
  });

  it('a non-image posted as image bytes is a verdict, not an error: the workflow names it and never approves', async () => {
    const res = await call('/moderations', { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: '<!doctype html><p>not a photo</p>' });
    expect(res.status).to.equal(200);
    const record = await json(res);
    expect(record.decision).to.equal('reject');
    expect((record.reasons as Array<{ error?: string }>).map((r) => r.error)).to.include('UnsupportedImageFormat');
  });

  it('refuses a request without the token (401), with a wrong one (403) and for a foreign Host (403), reads included', async () => {
    const none = await call('/verdicts/' + '0'.repeat(64), {}, null);
    expect(none.status).to.equal(401);
    expect((await json(none)).error).to.equal('TokenRequired');
    expect(none.headers.get('www-authenticate')).to.equal('Bearer');
    const wrong = await call('/moderations', { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: bytes }, `${printed.token.slice(0, -1)}x`);
    expect(wrong.status).to.equal(403);
    expect((await json(wrong)).error).to.equal('TokenRejected');
    const rebound = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${printed.baseUrl}/openapi.json`, { headers: { host: 'evil.example', authorization: `Bearer ${printed.token}` } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(rebound.status).to.equal(403);
    expect(JSON.parse(rebound.body).error).to.equal('HostRejected');
  });

  it('serves its OpenAPI 3.1 document, valid, listing exactly the routes it answers', async () => {
    const res = await call('/openapi.json');
    expect(res.status).to.equal(200);
    const doc = await json(res);
    const result = await new Validator().validate(doc);
    expect(result.valid, JSON.stringify(result.errors)).to.equal(true);
    expect(doc.openapi).to.equal('3.1.0');
    expect(Object.keys(doc.paths as object).sort()).to.deep.equal(['/moderations', '/moderations/{id}', '/openapi.json', '/verdicts/{sha256}']);
    // A route the document does not list is not served.
    expect((await call('/uploads', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).to.equal(404);
  });
});
