import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { listSessionPorts } from "@/lib/preview";

export const GET = withApi(endpoints.listSessionPorts, ({ ctx, params }) => listSessionPorts({ ctx, input: { id: params.id } }));
