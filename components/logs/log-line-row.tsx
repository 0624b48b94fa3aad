import { memo } from "react";
import type { LogLine } from "./use-live-logs";

const STREAM_CLASS: Record<LogLine["stream"], string> = {
  stdout: "text-zinc-100",
  stderr: "text-red-300",
  system: "text-sky-300 italic",
};

/** One log line: its time, then the text coloured by stream, with the search matches marked. */
export const LogLineRow = memo(function LogLineRow({ line, highlight }: { line: LogLine; highlight: string }) {
  return (
    <div data-testid="log-line" data-stream={line.stream} data-seq={line.seq} className="flex gap-3 whitespace-pre-wrap break-all">
      <time dateTime={line.at} title={line.at} className="shrink-0 select-none text-zinc-400">{line.at.slice(11, 23)}</time>
      <span className={STREAM_CLASS[line.stream]}>{highlight ? <Marked text={line.line} term={highlight} /> : line.line}</span>
    </div>
  );
});

/** The text with every case-insensitive occurrence of `term` in a <mark>. */
function Marked({ text, term }: { text: string; term: string }) {
  const lower = text.toLowerCase();
  const needle = term.toLowerCase();
  const parts: React.ReactNode[] = [];
  let from = 0;
  for (let at = lower.indexOf(needle); at >= 0 && needle; at = lower.indexOf(needle, from)) {
    if (at > from) parts.push(text.slice(from, at));
    parts.push(<mark key={at} className="rounded-sm bg-amber-300 text-zinc-900">{text.slice(at, at + needle.length)}</mark>);
    from = at + needle.length;
  }
  parts.push(text.slice(from));
  return <>{parts}</>;
}
