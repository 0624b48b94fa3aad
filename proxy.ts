// Next's proxy (formerly middleware): refuses, in the API's JSON error shape, the /api requests
// Next would otherwise answer with its own empty or HTML page (lib/api/screen-request.ts).
import { type NextRequest, NextResponse } from "next/server";
import { screenApiRequest } from "@/lib/api/screen-request";
import { newId } from "@/lib/ids";

export function proxy(req: NextRequest) {
  const requestId = req.headers.get("x-request-id")?.slice(0, 64) || newId("req");
  return screenApiRequest(req.method, req.nextUrl.pathname, requestId) ?? NextResponse.next();
}

export const config = {
  matcher: [
    // Only requests without a body, and any with a `%` in the path: when the proxy runs on a
    // request with a body, Next buffers the whole body for it (and cuts it at 10 MB), which would
    // break uploads and image imports. TRACE has no body; a bad escape needs a `%`.
    { source: "/api/:path*", missing: [{ type: "header", key: "content-length" }, { type: "header", key: "transfer-encoding" }] },
    "/api/:path(.*%.*)",
  ],
};
