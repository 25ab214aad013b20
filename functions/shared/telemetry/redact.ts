/**
 * What may never reach a log line: image bytes (a Buffer becomes its length), the secrets URLs carry
 * (the query string, where signed URLs keep their signature, and user:password@), and Step Functions
 * task tokens (whoever holds one can resume the waiting execution with any verdict). Used as the JSON
 * replacer of every log record, so a handler cannot forget it.
 */
const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@]*@)?([^\s?#]*)(\?[^\s#]*)?(#\S*)?/gi;

/**
 * A task token is an opaque base64 string of several hundred characters (up to 2048). Nothing we log
 * legitimately looks like that (a sha256 is 64 hex characters), so any such run is removed, wherever it
 * sits: a field, an error message an AWS SDK echoed, a nested object.
 */
const OPAQUE_TOKEN = /[A-Za-z0-9+/=_-]{120,}/g;
/** Fields named like a token are removed whatever their length. */
const TOKEN_KEY = /token/i;
export const REDACTED = '[redacted]';

/** `https://u:p@host/a.jpg?X-Amz-Signature=…` → `https://host/a.jpg?…` (the path stays: it names the image). */
export function redactUrls(text: string): string {
  return text.replace(URL_IN_TEXT, (_m, scheme: string, _user?: string, rest?: string, query?: string) => `${scheme}${rest ?? ''}${query ? '?…' : ''}`);
}

export function redactText(text: string): string {
  return redactUrls(text).replace(OPAQUE_TOKEN, REDACTED);
}

function isSerializedBuffer(v: unknown): v is { type: 'Buffer'; data: unknown[] } {
  return typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data);
}

export function redactValue(key: string, value: unknown): unknown {
  if (typeof value === 'string') return TOKEN_KEY.test(key) ? REDACTED : redactText(value);
  if (isSerializedBuffer(value)) return `[${value.data.length} bytes]`;
  if (value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  if (value instanceof ArrayBuffer) return `[${value.byteLength} bytes]`;
  return value;
}
