import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { closeTerminal } from "@/lib/terminal";

export const DELETE = withApi(endpoints.closeTerminal, ({ ctx, params }) => closeTerminal(ctx, params.id, params.terminalId));
