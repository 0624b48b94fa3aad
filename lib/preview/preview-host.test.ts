import { describe, expect, it } from "vitest";
import { parsePreviewHost, previewUrlOf } from "./preview-host";

const ID = "ses_01KBX3Z9Q8W7E6R5T4Y3U2I1O0";

describe("preview host names", () => {
  it("reads the port and the session id, whatever the case and the port of the Host header", () => {
    expect(parsePreviewHost(`8000-${ID.toLowerCase()}.localhost:3001`, "localhost:3001")).toEqual({ port: 8000, sessionId: ID });
    expect(parsePreviewHost(`8000-${ID}.preview.example.com`, "preview.example.com")).toEqual({ port: 8000, sessionId: ID });
  });
  it("refuses another domain, a port out of range, a malformed id", () => {
    expect(parsePreviewHost(`8000-${ID}.evil.com`, "preview.example.com")).toBeNull();
    expect(parsePreviewHost(`70000-${ID}.localhost`, "localhost")).toBeNull();
    expect(parsePreviewHost(`0-${ID}.localhost`, "localhost")).toBeNull();
    expect(parsePreviewHost("8000-ses_short.localhost", "localhost")).toBeNull();
    expect(parsePreviewHost(`x.8000-${ID}.localhost`, "localhost")).toBeNull();
    expect(parsePreviewHost(undefined, "localhost")).toBeNull();
  });
  it("builds the URL that parses back", () => {
    const url = previewUrlOf({ scheme: "http", domain: "localhost:3001" }, ID, 5173);
    expect(url).toBe(`http://5173-${ID.toLowerCase()}.localhost:3001`);
    expect(parsePreviewHost(new URL(url).host, "localhost:3001")).toEqual({ port: 5173, sessionId: ID });
  });
});
