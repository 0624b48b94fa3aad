"use client";

// The session page's tab strip: each tab a link to `?tab=<id>` (a reload or Back keeps the tab),
// with the WAI-ARIA tabs pattern: one tab in the Tab order, arrows/Home/End move between tabs.
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useRef, type KeyboardEvent } from "react";
import { SESSION_TABS, tabForKey, type SessionTab } from "./session-tab-names";

export const tabId = (tab: SessionTab) => `session-tab-${tab}`;
export const panelId = (tab: SessionTab) => `session-panel-${tab}`;

export function SessionTabs({ current }: { current: SessionTab }) {
  const pathname = usePathname();
  const router = useRouter();
  const list = useRef<HTMLDivElement>(null);
  const href = (tab: SessionTab) => (tab === "overview" ? pathname : `${pathname}?tab=${tab}`);

  const onKeyDown = (e: KeyboardEvent) => {
    const to = tabForKey(current, e.key);
    if (!to) return;
    e.preventDefault();
    router.push(href(to), { scroll: false });
    list.current?.querySelector<HTMLElement>(`#${tabId(to)}`)?.focus();
  };

  return (
    <div ref={list} role="tablist" aria-label="Session" onKeyDown={onKeyDown} className="-mb-px flex gap-1 overflow-x-auto">
      {SESSION_TABS.map((t) => {
        const selected = t.id === current;
        return (
          <Link key={t.id} id={tabId(t.id)} role="tab" href={href(t.id)} scroll={false} aria-selected={selected} aria-controls={panelId(t.id)}
            tabIndex={selected ? 0 : -1}
            className={`shrink-0 border-b-2 px-3 py-2 text-sm font-medium whitespace-nowrap focus-visible:outline-2 focus-visible:outline-indigo-600 ${
              selected ? "border-indigo-600 text-indigo-700" : "border-transparent text-zinc-600 hover:border-zinc-300 hover:text-zinc-900"
            }`}>
            {t.label}
          </Link>
        );
      })}
    </div>
  );
}
