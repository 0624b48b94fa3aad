import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { resizeTerminal } from "@/lib/terminal";

export const POST = withApi(endpoints.resizeTerminal, ({ ctx, params, body }) => resizeTerminal(ctx, params.id, params.terminalId, body));
