import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { listRunners } from "@/lib/runners/runner-registry";

// Runners are shared infrastructure: every tenant may see their capacity and health.
export const GET = withApi(endpoints.listRunners, async () => ({ data: await listRunners() }));
