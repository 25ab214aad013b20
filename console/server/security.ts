/**
 * What keeps a loopback web page safe from other pages in the same browser and from other users of the
 * machine: a per-start token on every state-changing request (a custom header, which no cross-site form
 * or simple request can send, so this is also the CSRF defence), a Host check against DNS rebinding,
 * and headers that forbid inline script, framing and leaking the token through Referer.
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

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** 401 without the header, 403 with a wrong one: never a silent success. */
export function requireToken(token: string): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const given = c.req.header(TOKEN_HEADER);
    if (!given) {
      return c.json(
        { error: 'TokenRequired', message: `State-changing requests need the ${TOKEN_HEADER} header with the token printed when the console started.` },
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

export function hostNames(bound: string, port: number): string[] {
  const names = new Set([`${bound}:${port}`, `127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  return [...names].map((n) => n.toLowerCase());
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
