import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { openTerminal } from "@/lib/terminal";

export const POST = withApi(endpoints.openTerminal, ({ ctx, params, body }) => openTerminal(ctx, params.id, body));
