import type { Scope } from "@/lib/auth/scopes";

/**
 * The console's pages. `needs` is the scope a page's main read requires (the API's own rule, see
 * lib/api/endpoints.ts): a role without it gets a page of 403s, so the link is not shown to it.
 * Pages every signed-in person can use (API keys of their own, members, settings) need none.
 */
export const NAV_LINKS: readonly { href: string; label: string; needs?: Scope }[] = [
  { href: "", label: "Overview" },
  { href: "/sessions", label: "Sessions", needs: "sessions:read" },
  { href: "/snapshots", label: "Snapshots", needs: "snapshots:read" },
  { href: "/templates", label: "Templates", needs: "sessions:read" },
  { href: "/traces", label: "Traces", needs: "sessions:read" },
  { href: "/runners", label: "Runners", needs: "sessions:read" },
  { href: "/api-keys", label: "API keys" },
  { href: "/members", label: "Members" },
  { href: "/billing", label: "Billing", needs: "billing:read" },
  { href: "/audit-log", label: "Audit log", needs: "admin" },
  { href: "/settings", label: "Settings" },
  { href: "/api-reference", label: "API reference" },
];

/** The links a caller with these scopes can use. */
export function navLinksFor(scopes: readonly string[]) {
  return NAV_LINKS.filter((link) => !link.needs || scopes.includes(link.needs));
}
