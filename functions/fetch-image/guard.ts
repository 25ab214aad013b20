/**
 * Which URLs and addresses FetchImage may reach. Server-side request forgery is the risk: a blog post
 * could point at the metadata service (169.254.169.254), a VPC-internal host or localhost. Every
 * address a host resolves to is checked, in every redirect hop, before any connection is made.
 */
import ipaddr from 'ipaddr.js';
import { ConfigError, FetchBlocked, InvalidInput } from '../shared/errors.js';

export interface AddressPolicy {
  /** Host names (or literal IPs) trusted as they are, e.g. a test's loopback server. */
  allowHosts: readonly string[];
  /** CIDR ranges trusted even though they are not public (e.g. "10.1.0.0/16" for an internal CDN). */
  allowCidrs: readonly string[];
}

/** ipaddr.js range names that are public, routable unicast: everything else is refused. */
const PUBLIC_RANGES = new Set(['unicast']);

/** The URL without credentials, query or fragment: safe to put in messages and logs. */
export function redactUrl(url: URL | string): string {
  try {
    const u = new URL(String(url));
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}

/**
 * Parses and checks an http(s) URL. The WHATWG parser already turns the integer, hex and octal IPv4
 * forms (http://2130706433/, http://0x7f.1/) into dotted quads, so literal hosts are checked as such.
 */
export function parseHttpUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidInput(`${JSON.stringify(raw.slice(0, 200))} is not a valid URL. Send an https:// URL of the image.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new FetchBlocked(`The ${url.protocol} scheme is not fetched; only https:// and http:// image URLs are.`, { url: redactUrl(url) });
  }
  if (url.username || url.password) {
    throw new FetchBlocked('URLs with credentials (user:password@) are refused: credentials would end up in logs. Host the image publicly or on S3.', {
      url: redactUrl(url),
    });
  }
  return url;
}

/** The host as ipaddr.js wants it: brackets off IPv6 literals. */
export function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

export function isAllowedHost(host: string, policy: AddressPolicy): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return policy.allowHosts.some((a) => a.toLowerCase() === h);
}

/** Throws FetchBlocked unless the address is public unicast or inside an allow-listed range. */
export function checkAddress(address: string, host: string, policy: AddressPolicy): void {
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // process() unwraps IPv4-mapped IPv6 (::ffff:127.0.0.1) so it is judged as the IPv4 it is.
    ip = ipaddr.process(address);
  } catch {
    throw new FetchBlocked(`${host} resolved to ${JSON.stringify(address)}, which is not an IP address.`, { host });
  }
  for (const cidr of policy.allowCidrs) {
    const [range, bits] = ipaddr.parseCIDR(cidr);
    if (range.kind() === ip.kind() && ip.match(range, bits)) return;
  }
  const range = rangeOf(ip);
  if (!PUBLIC_RANGES.has(range)) {
    const shown = host === address ? address : `${host} (${address})`;
    throw new FetchBlocked(
      `Refusing to fetch from ${shown}: it is a ${range} address, not a public one (private, loopback, link-local, metadata and multicast addresses are never fetched). Use a public URL.`,
      { host, address, range },
    );
  }
}

/**
 * ipaddr.js has no range for the IPv4-compatible block ::/96 (deprecated by RFC 4291 section 2.5.5.1)
 * and calls ::7f00:1 (what the URL parser makes of [::127.0.0.1]) public unicast; some stacks route it
 * to the embedded IPv4 address. No public host is addressed that way, so the whole block is refused.
 */
function rangeOf(ip: ipaddr.IPv4 | ipaddr.IPv6): string {
  const range = ip.range();
  return range === 'unicast' && ip instanceof ipaddr.IPv6 && ip.match(IPV4_COMPATIBLE, 96) ? 'IPv4-compatible IPv6 (::/96)' : range;
}

const IPV4_COMPATIBLE = ipaddr.IPv6.parse('::');

/** For literal-IP URLs: checked without any DNS lookup. */
export function literalAddress(url: URL): string | undefined {
  const host = bareHost(url);
  return ipaddr.isValid(host) ? host : undefined;
}

/** Validates allow-list entries once, at configuration time. */
export function validateCidrs(cidrs: readonly string[]): void {
  for (const c of cidrs) {
    try {
      ipaddr.parseCIDR(c);
    } catch {
      throw new ConfigError(`FETCH_ALLOW_CIDRS: ${JSON.stringify(c)} is not a CIDR range such as 10.0.0.0/8.`);
    }
  }
}
