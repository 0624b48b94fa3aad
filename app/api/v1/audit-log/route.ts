import { listAuditEvents } from "@/lib/audit";
import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";

export const GET = withApi(endpoints.listAuditEvents, ({ ctx, query }) => listAuditEvents({ ctx, input: query }));
