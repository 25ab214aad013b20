/**
 * HTTP(S) download with the address policy enforced at connect time: the host is resolved once, every
 * address is checked, and the socket connects to the checked address (a custom `lookup`), so a DNS answer
 * that changes between check and connect (rebinding) cannot slip through. Redirects are followed by hand,
 * each hop checked again. The body is streamed against a byte cap and the whole exchange has a deadline.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { FetchBlocked, FetchFailed, FetchTimeout, ImageTooLarge, ModerationError } from '../shared/errors.js';
import { checkAddress, isAllowedHost, literalAddress, parseHttpUrl, redactUrl, bareHost, type AddressPolicy } from './guard.js';

export interface DownloadLimits {
  maxBytes: number;
  timeoutMs: number;
  maxRedirects: number;
}

/** A lookup that refuses to hand the socket any address the policy forbids. */
function guardedLookup(host: string, policy: AddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, family: (options as { family?: number }).family ?? 0 }, (err, addresses: LookupAddress[]) => {
      if (err) {
        callback(new FetchFailed(`Cannot resolve ${host} (${err.code ?? err.message}). Check the image URL.`, { host }), '', 4);
        return;
      }
      try {
        if (!isAllowedHost(host, policy)) for (const a of addresses) checkAddress(a.address, host, policy);
      } catch (blocked) {
        callback(blocked as Error, '', 4);
        return;
      }
      if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/** Checks a URL before any connection: scheme, credentials, literal addresses. */
export function precheck(url: URL, policy: AddressPolicy): void {
  const literal = literalAddress(url);
  if (literal && !isAllowedHost(bareHost(url), policy)) checkAddress(literal, bareHost(url), policy);
}

interface Hop {
  status: number;
  location?: string;
  body?: Buffer;
}

function requestOnce(url: URL, policy: AddressPolicy, limits: DownloadLimits, signal: AbortSignal): Promise<Hop> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(url, {
      method: 'GET',
      lookup: guardedLookup(bareHost(url), policy),
      signal,
      headers: { accept: 'image/avif,image/webp,image/png,image/jpeg,image/*;q=0.8', 'user-agent': 'blog-image-moderation/0.1' },
    });
    req.on('error', (err) => reject(err));
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        resolve({ status, location: res.headers.location });
        return;
      }
      if (status < 200 || status >= 300) {
        res.resume();
        reject(new FetchFailed(`${redactUrl(url)} answered HTTP ${status}. Check that the image URL is public and correct.`, { status }));
        return;
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > limits.maxBytes) {
        res.destroy();
        reject(tooLarge(declared, limits));
        return;
      }
      const chunks: Buffer[] = [];
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > limits.maxBytes) {
          res.destroy();
          reject(tooLarge(received, limits));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', reject);
      res.on('end', () => resolve({ status, body: Buffer.concat(chunks) }));
    });
    req.end();
  });
}

const tooLarge = (bytes: number, limits: DownloadLimits) =>
  new ImageTooLarge(
    `The image is larger than the ${limits.maxBytes.toLocaleString('en-US')}-byte limit (at least ${bytes.toLocaleString('en-US')} bytes). Publish a smaller file.`,
    {
      maxBytes: limits.maxBytes,
    },
  );

/** Downloads an http(s) URL under the policy and limits; named errors for every way it can fail. */
export async function download(raw: string, policy: AddressPolicy, limits: DownloadLimits): Promise<{ body: Buffer; finalUrl: string }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), limits.timeoutMs);
  let url = parseHttpUrl(raw);
  try {
    for (let hop = 0; ; hop++) {
      precheck(url, policy);
      let res: Hop;
      try {
        res = await requestOnce(url, policy, limits, controller.signal);
      } catch (err) {
        throw toNamedError(err, url, controller.signal, limits);
      }
      if (res.body) return { body: res.body, finalUrl: redactUrl(url) };
      if (hop >= limits.maxRedirects) {
        throw new FetchFailed(`${redactUrl(raw)} redirected more than ${limits.maxRedirects} times. Link the image itself.`, {
          maxRedirects: limits.maxRedirects,
        });
      }
      url = parseHttpUrl(new URL(res.location!, url).toString());
    }
  } finally {
    clearTimeout(timer);
  }
}

function toNamedError(err: unknown, url: URL, signal: AbortSignal, limits: DownloadLimits): Error {
  if (signal.aborted) {
    return new FetchTimeout(`${redactUrl(url)} did not deliver the image within ${limits.timeoutMs} ms. Try again later or host it elsewhere.`, {
      timeoutMs: limits.timeoutMs,
    });
  }
  if (err instanceof ModerationError) return err;
  // Node wraps lookup errors; the cause carries ours.
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof FetchBlocked || cause instanceof FetchFailed) return cause;
  const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  return new FetchFailed(`Cannot fetch ${redactUrl(url)} (${code}). Check that the host is up and the URL is right.`, { code });
}
