/** How numbers and times read on the page. */

export const pct = (x: unknown): string => (typeof x === 'number' ? `${Math.round(x * 10) / 10}%` : '');
export const ms = (x: unknown): string => (typeof x === 'number' ? (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${Math.round(x)} ms`) : '');
export const when = (iso: string | undefined): string => (iso ? new Date(iso).toLocaleString() : '');
export const json = (v: unknown): string => JSON.stringify(v, null, 2);
