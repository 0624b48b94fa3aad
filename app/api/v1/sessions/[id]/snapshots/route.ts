import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { createSnapshot, sessionLineage } from "@/lib/snapshots/snapshots";

export const GET = withApi(endpoints.sessionLineage, ({ ctx, params }) => sessionLineage({ ctx, input: { sessionId: params.id } }));
export const POST = withApi(endpoints.createSnapshot, ({ ctx, params }) => createSnapshot({ ctx, input: { sessionId: params.id } }));
