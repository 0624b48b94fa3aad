// GET /api/v1/sessions/{id}/logs?format=text: every matching line up to the log's end at the time
// of the request, as plain text (`<time> <stream> <line>`), read a page at a time as the client
// takes it, so a long log costs neither the server's memory nor one huge query.
import type { TenantContext } from "../auth/context";
import { getLogHeadOrThrow, readLogRows, startSeqOf } from "./read-session-logs";
import { filterOf, type LogQuery } from "./schemas";

const PAGE = 2000;
const encoder = new TextEncoder();

export async function downloadSessionLogs({ ctx, input }: { ctx: TenantContext; input: { sessionId: string; query: LogQuery } }) {
  const { sessionId, query } = input;
  const head = await getLogHeadOrThrow(ctx.db, sessionId);
  const filter = filterOf(query);
  let after = startSeqOf(query, head);
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const rows = after < head ? await readLogRows(ctx.db, sessionId, { afterSeq: after, upToSeq: head, limit: PAGE, filter }) : [];
      if (rows.length > 0) {
        controller.enqueue(encoder.encode(rows.map((r) => `${r.at.toISOString()} ${r.stream.padEnd(6)} ${r.line}\n`).join("")));
        after = Number(rows[rows.length - 1].seq);
      }
      if (rows.length < PAGE) controller.close();
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "text/plain; charset=utf-8",
      "content-disposition": `attachment; filename="${sessionId}.log"`,
    },
  });
}
