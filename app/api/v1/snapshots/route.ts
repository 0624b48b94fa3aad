import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { listSnapshots } from "@/lib/snapshots/snapshots";

export const GET = withApi(endpoints.listSnapshots, ({ ctx, query }) => listSnapshots({ ctx, input: query }));
