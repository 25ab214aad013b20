/**
 * The console's token arrives once in the URL (as Jupyter does); it is kept for this tab only and
 * dropped from the address bar and history, so it is not bookmarked, shared or sent anywhere.
 */

const TOKEN_KEY = 'moderation-console-token';

export function takeToken(): void {
  const url = new URL(window.location.href);
  const t = url.searchParams.get('token');
  if (t) {
    sessionStorage.setItem(TOKEN_KEY, t);
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
}

/** The token of this tab, if the console's URL was opened in it. */
export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}
