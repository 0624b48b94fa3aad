/** A preview link: the port's URL with a token that the preview proxy exchanges once for a cookie on that host. */
export function previewLink(url: string, token: string): string {
  const u = new URL(url);
  u.searchParams.set("burrow_preview_token", token);
  return u.toString();
}
