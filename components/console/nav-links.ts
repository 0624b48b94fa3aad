export const NAV_LINKS = [
  { href: "", label: "Overview" },
  { href: "/api-keys", label: "API keys" },
  { href: "/members", label: "Members" },
  { href: "/audit-log", label: "Audit log" },
  { href: "/settings", label: "Settings" },
  { href: "/api-reference", label: "API reference" },
] as const;
