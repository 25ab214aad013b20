/**
 * A loopback stand-in for Amazon Rekognition's DetectModerationLabels, reached by the real
 * @aws-sdk/client-rekognition through AWS_ENDPOINT_URL_REKOGNITION (JSON 1.1 protocol, as the SDK speaks
 * it). It refuses what Rekognition refuses (workflows/local/rekognition-contract.ts: JPEG/PNG only,
 * 5 MB of bytes, sides 80 to 10,000) with Rekognition's error names, and answers from the pixels it
 * received: the project's local nudity models and the classifier's ImageNet evidence, in Rekognition's
 * taxonomy (a level-2 label and its top-level category), so what the picture shows decides.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { imagenetModerationLabels } from '../../functions/aggregate/categories.js';
import type { Classifier } from '../../functions/classify/classifier.js';
import { getClassifier } from '../../functions/classify/handler.js';
import type { SafetyEngine } from '../../functions/safety/engine.js';
import { getSafetyEngine } from '../../functions/safety/handler.js';
import { modelStoreOptions } from '../../functions/shared/models/config.js';
import { mirrorDir } from '../models/fixtures.js';
import type { RekognitionModerationLabel, StagedImage } from '../../functions/shared/contracts/index.js';
import { checkRekognitionImage, RekognitionContractError } from '../../workflows/local/rekognition-contract.js';

export interface StandInRequest {
  bytes: number;
  /** The error the stand-in answered with, if any. */
  error?: string;
  labels?: RekognitionModerationLabel[];
}

export interface RekognitionStandIn {
  /** http://127.0.0.1:<port>: the value for AWS_ENDPOINT_URL_REKOGNITION. */
  endpoint: string;
  /** Every DetectModerationLabels call, in arrival order. */
  requests: StandInRequest[];
  /** Environment for a client that reaches the stand-in with dummy credentials. */
  env: Record<string, string>;
  close(): Promise<void>;
}

const PLACEHOLDER_IMAGE: StagedImage = { uri: 'stand-in', key: 'stand-in', sha256: '0'.repeat(64), bytes: 0, format: 'jpeg', width: 1, height: 1 };

/** The engines' labels as DetectModerationLabels lists them: each level-2 label with its top-level category. */
async function moderationLabels(bytes: Buffer, engines: { classifier: Classifier; safety: SafetyEngine }, minConfidence: number) {
  const [classes, nudity] = await Promise.all([engines.classifier.classify(bytes), engines.safety.detect(PLACEHOLDER_IMAGE, () => Promise.resolve(bytes))]);
  const out = new Map<string, RekognitionModerationLabel>();
  const add = (l: RekognitionModerationLabel) => {
    const prev = out.get(`${l.ParentName}/${l.Name}`);
    if (!prev || (prev.Confidence ?? 0) < (l.Confidence ?? 0)) out.set(`${l.ParentName}/${l.Name}`, l);
  };
  for (const l of [...nudity, ...imagenetModerationLabels(classes)]) {
    const confidence = Number(l.confidence.toFixed(3));
    if (confidence < minConfidence) continue;
    add({ Name: l.name, ParentName: l.parentName, Confidence: confidence, TaxonomyLevel: l.parentName ? 2 : 1 });
    if (l.parentName) add({ Name: l.parentName, ParentName: '', Confidence: confidence, TaxonomyLevel: 1 });
  }
  return [...out.values()].sort((a, b) => (a.TaxonomyLevel ?? 0) - (b.TaxonomyLevel ?? 0) || (b.Confidence ?? 0) - (a.Confidence ?? 0));
}

export async function startRekognitionStandIn(engines: { classifier: Classifier; safety: SafetyEngine }): Promise<RekognitionStandIn> {
  const requests: StandInRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const fail = (status: number, type: string, message: string) => {
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type });
          res.end(JSON.stringify({ __type: type, Message: message }));
        };
        const target = req.headers['x-amz-target'];
        if (target !== 'RekognitionService.DetectModerationLabels')
          return fail(400, 'UnknownOperationException', `The stand-in serves DetectModerationLabels only, not ${String(target)}.`);
        let body: { Image?: { Bytes?: string; S3Object?: unknown }; MinConfidence?: number };
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
        } catch {
          return fail(400, 'SerializationException', 'The request body is not JSON.');
        }
        if (!body.Image?.Bytes) {
          requests.push({ bytes: 0, error: 'InvalidS3ObjectException' });
          return fail(400, 'InvalidS3ObjectException', 'The stand-in has no S3: send Image.Bytes.');
        }
        const bytes = Buffer.from(body.Image.Bytes, 'base64');
        try {
          await checkRekognitionImage(bytes, 'bytes');
        } catch (err) {
          if (!(err instanceof RekognitionContractError)) throw err;
          requests.push({ bytes: bytes.length, error: err.code });
          return fail(400, err.code, err.message);
        }
        const labels = await moderationLabels(bytes, engines, body.MinConfidence ?? 50);
        requests.push({ bytes: bytes.length, labels });
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ ModerationLabels: labels, ModerationModelVersion: '7.0' }));
      })().catch((err: unknown) => {
        res.writeHead(500, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'InternalServerError' });
        res.end(JSON.stringify({ __type: 'InternalServerError', Message: (err as Error).message }));
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    requests,
    env: { AWS_ENDPOINT_URL_REKOGNITION: endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'stand-in', AWS_SECRET_ACCESS_KEY: 'stand-in' },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The stand-in with the real models (the classifier and both nsfwjs models from the cache and mirror),
 * and process.env pointed at it (the SDK reads its endpoint and credentials there); `close` restores it.
 */
export async function startStandInWithModels(): Promise<RekognitionStandIn> {
  const cacheDir = modelStoreOptions({}, {}).cacheDir;
  const [classifier, safety] = await Promise.all([
    getClassifier({ store: { name: 'mobilenetv2-12-int8', cacheDir, mirrorDir, allowDownload: false }, config: { threads: 1, maxPixels: 40e6 } }),
    getSafetyEngine({ minConfidence: 0, threads: 1, maxPixels: 40e6, nsfw: { cacheDir }, confirm: { cacheDir, model: 'nsfwjs-inception-v3' } }),
  ]);
  const standIn = await startRekognitionStandIn({ classifier, safety });
  const saved = Object.fromEntries(Object.keys(standIn.env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, standIn.env);
  return {
    ...standIn,
    close: async () => {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await standIn.close();
    },
  };
}
