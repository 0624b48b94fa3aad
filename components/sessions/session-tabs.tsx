"use client";

// The session page's tab strip: each tab a link to `?tab=<id>` (a reload or Back keeps the tab),
// with the WAI-ARIA tabs pattern: one tab in the Tab order, arrows/Home/End move between tabs.
// Switching is history.pushState (Next keeps useSearchParams in step with it): no server round
// trip for a tab, while the links still open in a new tab and Back returns to the previous one.
import { usePathname } from "next/navigation";
import { useEffect, useRef, type KeyboardEvent, type MouseEvent } from "react";
import { SESSION_TABS, tabForKey, type SessionTab } from "./session-tab-names";

export const tabId = (tab: SessionTab) => `session-tab-${tab}`;
export const panelId = (tab: SessionTab) => `session-panel-${tab}`;

export function SessionTabs({ current, onSelect }: { current: SessionTab; onSelect: (tab: SessionTab) => void }) {
  const pathname = usePathname();
  const list = useRef<HTMLDivElement>(null);
  const href = (tab: SessionTab) => (tab === "overview" ? pathname : `${pathname}?tab=${tab}`);
  // The tab an arrow key moved to keeps the focus through the re-render the URL change causes:
  // the router's own update after pushState was seen to leave the focus on <body> (the first
  // time a panel mounted), which strands a keyboard user.
  const focusAfterRender = useRef<SessionTab | null>(null);
  useEffect(() => {
    if (focusAfterRender.current !== current) return;
    focusAfterRender.current = null;
    const focusTab = () => {
      const el = document.getElementById(tabId(current));
      if (el && document.activeElement !== el && (document.activeElement === document.body || document.activeElement === null)) el.focus();
    };
    focusTab();
    const frame = requestAnimationFrame(focusTab); // after the effects of the layouts above this one
    return () => cancelAnimationFrame(frame);
  }, [current]);

  const onKeyDown = (e: KeyboardEvent) => {
    // From the focused tab: the URL (and `current`) may not have caught up with a quick second key.
    const from = SESSION_TABS.find((t) => tabId(t.id) === (e.target as HTMLElement).id)?.id ?? current;
    const to = tabForKey(from, e.key);
    if (!to) return;
    e.preventDefault();
    focusAfterRender.current = to;
    onSelect(to);
    window.history.pushState(null, "", href(to));
    list.current?.querySelector<HTMLElement>(`#${tabId(to)}`)?.focus();
  };

  const onClick = (e: MouseEvent, tab: SessionTab) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return; // a new tab or window: the link
    e.preventDefault();
    if (tab === current) return;
    onSelect(tab);
    window.history.pushState(null, "", href(tab));
  };

  return (
    <div ref={list} role="tablist" aria-label="Session" onKeyDown={onKeyDown} className="-mb-px flex gap-1 overflow-x-auto">
      {SESSION_TABS.map((t) => {
        const selected = t.id === current;
        return (
          <a key={t.id} id={tabId(t.id)} role="tab" href={href(t.id)} onClick={(e) => onClick(e, t.id)} aria-selected={selected} aria-controls={panelId(t.id)}
            tabIndex={selected ? 0 : -1}
            className={`shrink-0 border-b-2 px-3 py-2 text-sm font-medium whitespace-nowrap focus-visible:outline-2 focus-visible:outline-indigo-600 ${
              selected ? "border-indigo-600 text-indigo-700" : "border-transparent text-zinc-600 hover:border-zinc-300 hover:text-zinc-900"
            }`}>
            {t.label}
          </a>
        );
      })}
    </div>
  );
}
