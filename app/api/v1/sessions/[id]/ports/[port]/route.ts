import { endpoints } from "@/lib/api/endpoints";
import { withApi } from "@/lib/api/with-api";
import { parsePortParam, setPortVisibility } from "@/lib/preview";

export const PUT = withApi(endpoints.setPortVisibility, ({ ctx, params, body }) =>
  setPortVisibility({ ctx, input: { id: params.id, port: parsePortParam(params.port), public: body.public } }));
