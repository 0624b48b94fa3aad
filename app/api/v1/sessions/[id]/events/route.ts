import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { listSessionEvents } from "@/lib/sessions";

export const GET = withApi(endpoints.listSessionEvents, ({ ctx, params }) => listSessionEvents({ ctx, input: { id: params.id } }));
