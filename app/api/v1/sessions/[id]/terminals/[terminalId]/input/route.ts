import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { sendTerminalInput } from "@/lib/terminal";

export const POST = withApi(endpoints.terminalInput, ({ ctx, params, body }) => sendTerminalInput(ctx, params.id, params.terminalId, body));
