/**
 * The one container image the native-module functions share: the classifier, and fetch-image and the
 * local safety function with a command override. All three need sharp's and onnxruntime's native
 * modules, which the image installs for its own architecture.
 */
import * as awsx from '@pulumi/awsx';
import path from 'node:path';
import { projectRoot } from '../functions/shared/project.js';

export interface FunctionsImage {
  repository: awsx.ecr.Repository;
  image: awsx.ecr.Image;
}

export function createImage(prefix: string, architecture: 'x86_64' | 'arm64', tags: Record<string, string>): FunctionsImage {
  // Tags stay mutable because every build is pushed under the same tag; the functions pin the image by
  // digest (imageUri), so what runs never changes under them.
  const repository = new awsx.ecr.Repository(`${prefix}-functions`, { forceDelete: true, imageTagMutability: 'MUTABLE', imageScanningConfiguration: { scanOnPush: true }, tags });
  const image = new awsx.ecr.Image(`${prefix}-functions`, {
    repositoryUrl: repository.url,
    context: projectRoot,
    dockerfile: path.join(projectRoot, 'functions/classify/Dockerfile'),
    // Explicit: awsx builds for the host's architecture otherwise, and the native modules then fail to load.
    platform: architecture === 'arm64' ? 'linux/arm64' : 'linux/amd64',
  });
  return { repository, image };
}
