/**
 * Input limits shared by every step that touches image bytes, so FetchImage and the classifier refuse
 * the same things. Each is overridable by configuration at the edge (env / CLI / Pulumi config).
 */
export const DEFAULT_LIMITS = {
  /** Largest image accepted, in bytes (20 MiB). */
  maxBytes: 20 * 1024 * 1024,
  /** Largest decoded size accepted, in pixels (width * height); a 30000x30000 PNG is a bomb. */
  maxPixels: 40_000_000,
  /** Fetch timeout for the whole response, in milliseconds. */
  fetchTimeoutMs: 10_000,
  /** Redirect hops followed, each one re-checked against the address policy. */
  maxRedirects: 3,
} as const;
