// GET /api/v1/sessions/{id}/events as server-sent events: the session (`event: session`, the same
// body as GET /sessions/{id}) and its transitions so far (`event: transition`, one each), then, as
// each change commits, the session again and the new transitions. The console's session page keeps
// its state from this stream instead of polling. Auth and the session check happen before the
// stream opens; a heartbeat every 15 s also re-reads the session (a lost notice is seen then).
import type { TenantContext } from "../auth/context";
import { formatComment, formatEvent, formatJsonEvent } from "../api/sse";
import { tenantDb } from "../db/tenant-scope";
import { getSessionRowOrThrow, readSessionEventRows, toSessionEvent } from "./read-sessions";
import { toSession } from "./schemas";
import { sessionWatch } from "./session-watch";

const HEARTBEAT_MS = 15_000;
const RETRY_MS = 2000;
const encoder = new TextEncoder();

export async function followSession({ ctx, input, heartbeatMs = HEARTBEAT_MS }: {
  ctx: Pick<TenantContext, "tenantId" | "db">; input: { id: string };
  /** Tests stretch it, so that only a notice can bring a change. */
  heartbeatMs?: number;
}): Promise<Response> {
  await getSessionRowOrThrow(ctx.db, input.id);
  const db = tenantDb(ctx.tenantId);
  const sent = new Set<string>();
  let lastSession = "";
  let closed = false;
  let reading = false;
  let again = false;
  let unsubscribe = () => {};
  let heartbeat: NodeJS.Timeout | undefined;

  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => {
        if (!closed) controller.enqueue(encoder.encode(text));
      };
      const close = () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        unsubscribe();
        controller.close();
      };
      // One read at a time; a notice during a read makes it read again when done.
      const look = async () => {
        if (reading) {
          again = true;
          return;
        }
        reading = true;
        try {
          do {
            again = false;
            const row = await db.session.findFirst({ where: { id: input.id } });
            if (!row) return close();
            const events = await readSessionEventRows(db, input.id);
            let text = "";
            for (const e of events) {
              if (sent.has(e.id)) continue;
              sent.add(e.id);
              text += formatJsonEvent("transition", toSessionEvent(e));
            }
            const session = JSON.stringify(toSession(row));
            if (session !== lastSession) {
              lastSession = session;
              text += formatEvent({ event: "session", data: session });
            }
            if (text) send(text);
          } while (again && !closed);
        } catch {
          // The next notice or heartbeat reads again.
        } finally {
          reading = false;
        }
      };
      send(formatEvent({ retry: RETRY_MS }));
      unsubscribe = sessionWatch().subscribe(ctx.tenantId, input.id, () => void look());
      heartbeat = setInterval(() => {
        send(formatComment("heartbeat"));
        void look();
      }, heartbeatMs);
      void look();
    },
    cancel() {
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
    },
  });
  return new Response(body, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store, no-transform", "x-accel-buffering": "no" },
  });
}
