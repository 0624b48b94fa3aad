import type { PostMortem } from "../api-types";
import { formatDateTime, formatMib } from "../format";
import { Card, CardBody, CardHeader } from "../ui/card";

/** The latest post-mortem: which limit stopped the sandbox or a process in it, peak memory, last log lines. */
export function PostMortemCard({ postMortem: pm }: { postMortem: PostMortem }) {
  return (
    <Card aria-labelledby="post-mortem-title">
      <CardHeader id="post-mortem-title" title="Post-mortem" />
      <CardBody>
        <div className="space-y-2 text-sm" data-testid="session-post-mortem">
          <p className="text-red-700" role="status">
            <code className="mr-1 rounded bg-red-50 px-1.5 py-0.5 font-mono text-[11px]">{pm.reason}</code>
            {pm.message}
          </p>
          <p className="text-zinc-500">
            {formatDateTime(pm.at)}
            {pm.peakMemoryBytes !== null && <> · peak memory {formatMib(Math.round(pm.peakMemoryBytes / 1048576))}</>}
          </p>
          {pm.lastLines.length > 0 && (
            <pre role="region" aria-label="Last log lines" tabIndex={0} className="max-h-48 overflow-auto rounded bg-zinc-950 p-2 font-mono text-[11px] text-zinc-100">
              {pm.lastLines.map((l) => l.line).join("\n")}
            </pre>
          )}
        </div>
      </CardBody>
    </Card>
  );
}
