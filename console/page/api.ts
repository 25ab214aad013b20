/** The page's client of the console's JSON API (console/server/api.ts types every answer). */
import type { ApiError, TokenHeader } from '../server/api.js';
import { token } from './token.js';

/** Typed as the server's own constant, so the two cannot drift apart. */
const TOKEN_HEADER: TokenHeader = 'X-Console-Token';

/** An error answer: named as the server named it, with its message (which says what to do). */
export class ApiFailure extends Error {
  constructor(
    name: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = name;
  }
}

export async function api<T>(path: string, { method = 'GET', body }: { method?: 'GET' | 'POST'; body?: unknown } = {}): Promise<T> {
  // Every request carries the token, reads too: the API answers nothing without it.
  const headers: Record<string, string> = { Accept: 'application/json', [TOKEN_HEADER]: token() ?? '' };
  if (method !== 'GET') headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const data = (await res.json().catch(() => ({}))) as T & Partial<ApiError>;
  if (!res.ok) throw new ApiFailure(data.error || 'Error', data.message || `${res.status} ${res.statusText}`, res.status);
  return data;
}

/** An error's message for the banner (a failed fetch is a TypeError, not an ApiFailure). */
export const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));
