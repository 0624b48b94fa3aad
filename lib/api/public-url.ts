import { env } from "../env";

/** The URL people reach the console at: PUBLIC_URL when set, else what the request came in on. */
export function publicBaseUrl(req: Request): string {
  if (env.PUBLIC_URL) return env.PUBLIC_URL;
  const url = new URL(req.url);
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host") ?? url.host;
  const proto = req.headers.get("x-forwarded-proto") ?? url.protocol.replace(":", "");
  return `${proto}://${host}`;
}
