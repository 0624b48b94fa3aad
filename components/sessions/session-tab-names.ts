// The session page's tabs, in order, and how `?tab=` maps to one (an unknown or missing value is
// the Overview, so an old link still opens the page).
export const SESSION_TABS = [
  { id: "overview", label: "Overview" },
  { id: "logs", label: "Logs" },
  { id: "terminal", label: "Terminal" },
  { id: "files", label: "Files" },
  { id: "traces", label: "Traces" },
  { id: "metrics", label: "Metrics" },
  { id: "snapshots", label: "Snapshots" },
  { id: "network", label: "Network" },
] as const;

export type SessionTab = (typeof SESSION_TABS)[number]["id"];

export function tabFromParam(param: string | null | undefined): SessionTab {
  return SESSION_TABS.find((t) => t.id === param)?.id ?? "overview";
}

/** The tab an arrow, Home or End key moves to from `current` (wrapping around), or null for other keys. */
export function tabForKey(current: SessionTab, key: string): SessionTab | null {
  const i = SESSION_TABS.findIndex((t) => t.id === current);
  const n = SESSION_TABS.length;
  const to = key === "ArrowRight" ? (i + 1) % n : key === "ArrowLeft" ? (i - 1 + n) % n : key === "Home" ? 0 : key === "End" ? n - 1 : null;
  return to === null ? null : SESSION_TABS[to].id;
}
