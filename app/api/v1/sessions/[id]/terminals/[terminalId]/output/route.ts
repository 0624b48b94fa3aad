import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { streamTerminalOutput } from "@/lib/terminal";

export const GET = withApi(endpoints.terminalOutput, ({ ctx, params, query, req }) =>
  streamTerminalOutput(ctx, params.id, params.terminalId, { lastEventId: req.headers.get("last-event-id"), after: query.after }),
);
