export const NAV_LINKS = [
  { href: "", label: "Overview" },
  { href: "/sessions", label: "Sessions" },
  { href: "/snapshots", label: "Snapshots" },
  { href: "/templates", label: "Templates" },
  { href: "/traces", label: "Traces" },
  { href: "/runners", label: "Runners" },
  { href: "/api-keys", label: "API keys" },
  { href: "/members", label: "Members" },
  { href: "/billing", label: "Billing" },
  { href: "/audit-log", label: "Audit log" },
  { href: "/settings", label: "Settings" },
  { href: "/api-reference", label: "API reference" },
] as const;
