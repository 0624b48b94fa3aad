import { describe, expect, it } from "vitest";
import { previewLink } from "./preview-link";

describe("preview links", () => {
  it("carry the token as the one query parameter the proxy exchanges, keeping the URL's own", () => {
    expect(previewLink("http://8080-ses_01abc.localhost:3001/", "bpt_x+y")).toBe("http://8080-ses_01abc.localhost:3001/?burrow_preview_token=bpt_x%2By");
    expect(previewLink("https://3000-ses_01abc.preview.example.com/app?q=1", "bpt_z")).toBe("https://3000-ses_01abc.preview.example.com/app?q=1&burrow_preview_token=bpt_z");
  });
});
