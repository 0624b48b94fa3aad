import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { revokeConsoleSession } from "@/lib/auth/console-sessions";

export const DELETE = withApi(endpoints.revokeConsoleSession, ({ ctx, params }) => revokeConsoleSession({ ctx, id: params.id }));
