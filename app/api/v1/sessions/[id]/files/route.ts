import { endpoints } from "@/lib/api/endpoints";
import { readLimitedBytes } from "@/lib/api/read-body";
import { withApi } from "@/lib/api/with-api";
import { MAX_FILE_BYTES, readSessionFile, SNAPSHOT_ID_HEADER, writeSessionFile } from "@/lib/sessions";

export const GET = withApi(endpoints.readSessionFile, async ({ ctx, params, query }) => {
  const upstream = await readSessionFile(ctx, params.id, query.path);
  const fromSnapshot = upstream.headers.get(SNAPSHOT_ID_HEADER);
  return new Response(upstream.body, { headers: { "content-type": "application/octet-stream", ...(fromSnapshot ? { [SNAPSHOT_ID_HEADER]: fromSnapshot } : {}) } });
});
export const PUT = withApi(endpoints.writeSessionFile, async ({ ctx, params, query, req }) =>
  writeSessionFile(ctx, params.id, query.path, await readLimitedBytes(req, MAX_FILE_BYTES)),
);
