/**
 * One expensive object (a model session) per settings per process, created on first use. A failed
 * creation is forgotten, so the next invocation retries instead of replaying the failure forever.
 */
export function memoized<T>(cache: Map<string, Promise<T>>, key: string, create: () => Promise<T>): Promise<T> {
  let p = cache.get(key);
  if (!p) {
    p = create();
    p.catch(() => cache.delete(key));
    cache.set(key, p);
  }
  return p;
}
