import { mkdir, readFile, rename, writeFile, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ImageFormat, StagedImage } from '../contracts/index.js';
import { StagedImageMissing } from '../errors.js';
import { stagingKey, type StagingStore } from './store.js';
import { ensureWritableDir } from '../writable-dir.js';

/** Local mode: a directory. Writes are temp file + rename, so a reader never sees half an image. */
export class LocalStagingStore implements StagingStore {
  readonly root: string;
  constructor(root: string) {
    this.root = path.resolve(root);
  }

  ready(): Promise<void> {
    return ensureWritableDir(this.root, 'STAGING_DIR');
  }

  async put(bytes: Buffer, meta: { sha256: string; format: ImageFormat }): Promise<Pick<StagedImage, 'uri' | 'key'>> {
    const key = stagingKey(meta.sha256, meta.format);
    const file = path.join(this.root, key);
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, bytes);
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return { uri: pathToFileURL(file).href, key };
  }

  async get(image: Pick<StagedImage, 'uri' | 'key'>): Promise<Buffer> {
    // Resolve by key inside our root, never by the URI: a crafted pointer must not read arbitrary files.
    const file = path.resolve(this.root, image.key);
    if (!file.startsWith(this.root + path.sep)) {
      throw new StagedImageMissing(`Staged key ${JSON.stringify(image.key)} points outside the staging directory.`);
    }
    try {
      return await readFile(file);
    } catch (err) {
      throw new StagedImageMissing(
        `Staged image ${image.key} is not in ${this.root}; it may have been cleaned up. Fetch the image again.`,
        { key: image.key },
        { cause: err },
      );
    }
  }
}
