"use client";

import { useEffect, useState } from "react";
import { readTheme, saveTheme, THEMES, type Theme } from "./theme";

const LABELS: Record<Theme, string> = { system: "System", light: "Light", dark: "Dark" };

/** System / Light / Dark, as a segmented radio group. */
export function ThemeToggle({ className = "" }: { className?: string }) {
  // The server cannot know the stored choice: render "system" first, then the real one.
  const [theme, setTheme] = useState<Theme>("system");
  useEffect(() => setTheme(readTheme()), []);

  return (
    <fieldset className={className}>
      <legend className="text-xs font-medium text-zinc-500">Theme</legend>
      <div className="mt-1 grid grid-cols-3 rounded-md bg-zinc-100 p-0.5 text-xs font-medium">
        {THEMES.map((t) => (
          <label key={t}
            className={`cursor-pointer rounded px-1.5 py-1 text-center has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-indigo-600 ${
              theme === t ? "bg-white text-zinc-900 shadow-sm" : "text-zinc-600 hover:text-zinc-900"
            }`}>
            <input type="radio" name="theme" value={t} checked={theme === t} className="sr-only"
              onChange={() => { setTheme(t); saveTheme(t); }} />
            {LABELS[t]}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
