import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { changeDesiredState } from "@/lib/sessions";

export const POST = withApi(endpoints.pauseSession, ({ ctx, params }) => changeDesiredState({ ctx, input: { id: params.id, desired: "paused" } }));
