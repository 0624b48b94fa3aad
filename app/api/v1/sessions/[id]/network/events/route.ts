import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { listNetworkEvents } from "@/lib/network";

export const GET = withApi(endpoints.listSessionNetworkEvents, ({ ctx, params, query }) => listNetworkEvents({ ctx, input: { sessionId: params.id, query } }));
