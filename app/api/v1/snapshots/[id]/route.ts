import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { deleteSnapshot, getSnapshot } from "@/lib/snapshots/snapshots";

export const GET = withApi(endpoints.getSnapshot, ({ ctx, params }) => getSnapshot({ ctx, input: { id: params.id } }));
export const DELETE = withApi(endpoints.deleteSnapshot, ({ ctx, params }) => deleteSnapshot({ ctx, input: { id: params.id } }));
