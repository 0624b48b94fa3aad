import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { listConsoleSessions } from "@/lib/auth/console-sessions";

export const GET = withApi(endpoints.listConsoleSessions, ({ ctx }) => listConsoleSessions({ ctx }));
