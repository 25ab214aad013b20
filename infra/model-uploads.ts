/**
 * The model objects `pulumi up` uploads to the model bucket from this machine's model store: the
 * classifier model with its labels and, for the local safety engine, the converted nsfwjs model. Keys
 * are content-addressed (sha256 in the key and in metadata), so a new model never overwrites the one
 * running Lambdas use.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { ModelFileResolver, NsfwFileResolver } from './model-files.js';
import type { Storage } from './storage.js';
import { NSFW_PRIMARY, type NsfwModelName } from '../functions/safety/nsfw-store.js';

export interface UploadedModel {
  name: string;
  /** S3 key of the model file. */
  key: string;
  sha256: string;
  /** The uploads: the functions reading them depend on these. */
  objects: pulumi.Resource[];
}

export interface UploadedClassifierModel extends UploadedModel {
  /** S3 key of the labels, beside the model (the model store reads them from there). */
  labelsKey: string;
}

interface ModelUpload {
  key: string;
  sha256: string;
  modelFile: string;
  labels?: { key: string; file: string };
}

/** Uploads a verified local model file (and its labels) with the sha256 in metadata. */
function uploadModel(name: string, bucket: aws.s3.Bucket, u: ModelUpload, dependsOn: pulumi.Resource[]): pulumi.Resource[] {
  const model = new aws.s3.BucketObjectv2(
    name,
    { bucket: bucket.id, key: u.key, source: new pulumi.asset.FileAsset(u.modelFile), metadata: { sha256: u.sha256 }, contentType: 'application/octet-stream' },
    { dependsOn },
  );
  if (!u.labels) return [model];
  const labels = new aws.s3.BucketObjectv2(
    `${name}-labels`,
    { bucket: bucket.id, key: u.labels.key, source: new pulumi.asset.FileAsset(u.labels.file), contentType: 'text/plain' },
    { dependsOn },
  );
  return [model, labels];
}

export async function uploadClassifierModel(prefix: string, storage: Storage, modelName: string, resolve: ModelFileResolver): Promise<UploadedClassifierModel> {
  const local = await resolve(modelName);
  const dir = `models/${modelName}/${local.sha256}`;
  const key = `${dir}/${local.fileName}`;
  const labelsKey = `${dir}/${local.labelsName}`;
  const objects = uploadModel(
    `${prefix}-model`,
    storage.models.bucket,
    { key, sha256: local.sha256, modelFile: local.modelFile, labels: { key: labelsKey, file: local.labelsFile } },
    storage.models.settings,
  );
  return { name: modelName, key, labelsKey, sha256: local.sha256, objects };
}

/** One of the local safety engine's converted models (the primary MobileNetV2 or the confirming InceptionV3). */
export async function uploadNsfwModel(prefix: string, storage: Storage, resolve: NsfwFileResolver, name: NsfwModelName = NSFW_PRIMARY): Promise<UploadedModel> {
  const nsfw = await resolve(name);
  const key = `models/${name}/${nsfw.sha256}.onnx`;
  const resourceName = name === NSFW_PRIMARY ? `${prefix}-nsfw-model` : `${prefix}-${name}-model`;
  const objects = uploadModel(resourceName, storage.models.bucket, { key, sha256: nsfw.sha256, modelFile: nsfw.modelFile }, storage.models.settings);
  return { name, key, sha256: nsfw.sha256, objects };
}
