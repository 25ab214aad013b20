/** Where image bytes come from besides http(s): s3:// objects and (local mode) files. Both byte-capped. */
import type { S3Client } from '@aws-sdk/client-s3';
import { loadS3 } from '../shared/s3-client.js';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FetchBlocked, FetchFailed, ImageTooLarge, InvalidInput } from '../shared/errors.js';

const tooLarge = (bytes: number, maxBytes: number, what: string) =>
  new ImageTooLarge(`${what} is ${bytes.toLocaleString('en-US')} bytes, above the ${maxBytes.toLocaleString('en-US')}-byte limit. Publish a smaller file.`, {
    maxBytes,
  });

export async function readS3(uri: string, maxBytes: number, s3: S3Client): Promise<Buffer> {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!m) throw new InvalidInput(`${uri} is not an s3://bucket/key URI.`);
  const [, Bucket, Key] = m;
  const { GetObjectCommand } = await loadS3();
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket, Key }));
    if ((res.ContentLength ?? 0) > maxBytes) throw tooLarge(res.ContentLength!, maxBytes, uri);
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of res.Body as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) throw tooLarge(total, maxBytes, uri);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  } catch (err) {
    if (err instanceof ImageTooLarge) throw err;
    const name = (err as Error).name;
    if (name === 'NoSuchKey' || name === 'NotFound') throw new FetchFailed(`${uri} does not exist. Check the key.`, { code: name });
    if (name === 'AccessDenied')
      throw new FetchBlocked(`This workflow may not read ${uri} (AccessDenied). Grant it s3:GetObject or copy the image.`, { code: name });
    throw new FetchFailed(`Cannot read ${uri} (${name}: ${(err as Error).message}).`, { code: name });
  }
}

export async function readLocalFile(pathOrUrl: string, maxBytes: number): Promise<Buffer> {
  const file = path.resolve(pathOrUrl.startsWith('file://') ? fileURLToPath(pathOrUrl) : pathOrUrl);
  let fh;
  try {
    // Non-blocking: opening a FIFO for reading would otherwise wait for a writer for ever.
    fh = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new FetchFailed(`Cannot open ${file} (${(err as NodeJS.ErrnoException).code}). Check the path.`, { code: (err as NodeJS.ErrnoException).code });
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) {
      const kind = st.isDirectory()
        ? 'a directory'
        : st.isFIFO()
          ? 'a FIFO (named pipe)'
          : st.isCharacterDevice() || st.isBlockDevice()
            ? 'a device'
            : st.isSocket()
              ? 'a socket'
              : 'not a regular file';
      throw new FetchFailed(`${file} is ${kind}, not an image file. Pass the path of a regular image file.`, { code: 'ENOTREG' });
    }
    if (st.size > maxBytes) throw tooLarge(st.size, maxBytes, file);
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}
