import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { changeDesiredState, getSession } from "@/lib/sessions";

export const GET = withApi(endpoints.getSession, ({ ctx, params }) => getSession({ ctx, input: { id: params.id } }));
export const DELETE = withApi(endpoints.terminateSession, ({ ctx, params }) => changeDesiredState({ ctx, input: { id: params.id, desired: "terminated" } }));
