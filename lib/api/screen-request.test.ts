import { describe, expect, it } from "vitest";
import { screenApiRequest } from "./screen-request";

describe("screenApiRequest", () => {
  it("answers TRACE and made-up methods with a JSON 405 naming the allowed methods", async () => {
    for (const method of ["TRACE", "CONNECT", "PROPFIND", "X".repeat(100)]) {
      const res = screenApiRequest(method, "/api/v1/me", "req_1")!;
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE");
      expect(await res.json()).toEqual({ error: { code: "method_not_allowed", message: expect.any(String) }, requestId: "req_1" });
    }
  });

  it("answers a path that is not percent-encoded UTF-8 with a JSON 400", async () => {
    for (const path of ["/api/v1/sessions/%ff", "/api/v1/sessions/%E0%A4%A", "/api/v1/%", "/api/v1/sessions/%ed%a0%80"]) {
      const res = screenApiRequest("GET", path, "req_2")!;
      expect(res.status).toBe(400);
      expect((await res.json()).error.code).toBe("invalid_request");
    }
  });

  it("lets every routable request through", () => {
    for (const method of ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"]) {
      expect(screenApiRequest(method, "/api/v1/sessions/ses_01J%C3%A9%2F", "req_3")).toBeNull();
    }
  });
});
