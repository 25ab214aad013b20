/**
 * What may never reach a log line: image bytes (a Buffer becomes its length) and the secrets URLs carry
 * (the query string, where signed URLs keep their signature, and user:password@). Used as the JSON
 * replacer of every log record, so a handler cannot forget it.
 */
const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@]*@)?([^\s?#]*)(\?[^\s#]*)?(#\S*)?/gi;

/** `https://u:p@host/a.jpg?X-Amz-Signature=…` → `https://host/a.jpg?…` (the path stays: it names the image). */
export function redactUrls(text: string): string {
  return text.replace(URL_IN_TEXT, (_m, scheme: string, _user?: string, rest?: string, query?: string) => `${scheme}${rest ?? ''}${query ? '?…' : ''}`);
}

function isSerializedBuffer(v: unknown): v is { type: 'Buffer'; data: unknown[] } {
  return typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data);
}

export function redactValue(_key: string, value: unknown): unknown {
  if (typeof value === 'string') return redactUrls(value);
  if (isSerializedBuffer(value)) return `[${value.data.length} bytes]`;
  if (value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  if (value instanceof ArrayBuffer) return `[${value.byteLength} bytes]`;
  return value;
}
