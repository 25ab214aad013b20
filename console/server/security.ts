/**
 * What keeps a loopback web page safe from other pages in the same browser and from other users of the
 * machine: a per-start token on every API request, reads included (a custom header, which no cross-site
 * form or simple request can send, so this is also the CSRF defence; other users of the machine can
 * reach the port but not the token), a Host check against DNS rebinding, and headers that forbid inline
 * script, framing and leaking the token through Referer.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

export const TOKEN_HEADER = 'X-Console-Token';

/** 32 random bytes, URL-safe: printed once with the URL, never written into the page or a log. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time: a wrong token takes as long to refuse whatever its first differing byte. */
export function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * 401 without the token, 403 with a wrong one: never a silent success. Under `queryTokenPrefix` (the
 * image routes, which an <img> fetches without custom headers) a GET may carry it as ?token= instead.
 */
export function requireToken(token: string, opts: { queryTokenPrefix?: string } = {}): MiddlewareHandler {
  return async (c, next) => {
    const inQuery = opts.queryTokenPrefix !== undefined && c.req.method === 'GET' && c.req.path.startsWith(opts.queryTokenPrefix);
    const given = c.req.header(TOKEN_HEADER) ?? (inQuery ? c.req.query('token') : undefined);
    if (!given) {
      return c.json(
        { error: 'TokenRequired', message: `Every API request needs the ${TOKEN_HEADER} header with the token printed when the console started.` },
        401,
      );
    }
    if (!sameToken(given, token)) {
      return c.json(
        {
          error: 'TokenRejected',
          message: `The ${TOKEN_HEADER} header does not match this console's token (it changes at every start). Open the URL the console printed.`,
        },
        403,
      );
    }
    return next();
  };
}

/**
 * A page on evil.example can resolve its own name to 127.0.0.1 and then read from us as same-origin;
 * the Host header it sends still names evil.example, so only our own names are served.
 */
export function requireLocalHost(allowed: () => string[]): MiddlewareHandler {
  return async (c, next) => {
    const host = (c.req.header('host') ?? '').toLowerCase();
    if (!allowed().includes(host)) {
      return c.json({ error: 'HostRejected', message: `This console answers only to ${allowed().join(', ')}.` }, 403);
    }
    return next();
  };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** A bind address or Host name that only this machine can reach (IPv6 with or without brackets). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return LOOPBACK.has(h.includes(':') && !h.startsWith('[') ? `[${h}]` : h);
}

/**
 * The Host values the console answers to: the loopback names when it is bound to loopback, otherwise
 * only the address it was bound to (bound to 0.0.0.0, a forged "Host: 127.0.0.1" from elsewhere is no
 * proof of being local).
 */
export function hostNames(bound: string, port: number): string[] {
  const b = bound.toLowerCase();
  const names = LOOPBACK.has(b) ? [...LOOPBACK].map((n) => `${n}:${port}`) : [`${b}:${port}`];
  return names;
}

/** No inline script or style anywhere, so escaped-but-injected markup could not run even if it slipped through. */
export const pageHeaders: MiddlewareHandler = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'"],
    connectSrc: ["'self'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
  },
  referrerPolicy: 'no-referrer',
  crossOriginResourcePolicy: 'same-origin',
  xFrameOptions: 'DENY',
});
