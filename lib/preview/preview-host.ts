// Preview URLs: http(s)://{port}-{sessionId}.{PREVIEW_DOMAIN}. Browsers lower-case host names, so
// the session id (ses_ + an upper-case ULID) is matched case-insensitively and upper-cased back.
export type PreviewTarget = { port: number; sessionId: string };

const LABEL = /^(\d{1,5})-(ses_[0-9a-z]{26})$/i;

/** The port and session a Host header names under `domain` (its port ignored), or null. */
export function parsePreviewHost(hostHeader: string | undefined, domain: string): PreviewTarget | null {
  if (!hostHeader) return null;
  const host = hostHeader.toLowerCase().replace(/:\d+$/, "").replace(/\.$/, "");
  const suffix = `.${domain.toLowerCase().replace(/:\d+$/, "")}`;
  if (!host.endsWith(suffix)) return null;
  const m = LABEL.exec(host.slice(0, -suffix.length));
  if (!m) return null;
  const port = Number(m[1]);
  if (port < 1 || port > 65535) return null;
  return { port, sessionId: `ses_${m[2].slice(4).toUpperCase()}` };
}

export function previewUrlOf(settings: { scheme: string; domain: string }, sessionId: string, port: number): string {
  return `${settings.scheme}://${port}-${sessionId.toLowerCase()}.${settings.domain}`;
}
