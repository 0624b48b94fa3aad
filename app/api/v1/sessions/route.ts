import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { createSession, listSessions } from "@/lib/sessions";

export const GET = withApi(endpoints.listSessions, ({ ctx, query }) => listSessions({ ctx, input: query }));
export const POST = withApi(endpoints.createSession, ({ ctx, body }) => createSession({ ctx, input: body }));
