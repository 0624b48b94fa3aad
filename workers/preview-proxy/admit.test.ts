import { describe, expect, it } from "vitest";
import { cookieToken } from "./admit";

describe("cookieToken", () => {
  it("finds the preview cookie among others, and nothing when it is absent or empty", () => {
    expect(cookieToken("a=1; burrow_preview=bpt_abc=; b=2")).toBe("bpt_abc=");
    expect(cookieToken("a=1; not_burrow_preview=x")).toBeNull();
    expect(cookieToken("burrow_preview=")).toBeNull();
    expect(cookieToken(undefined)).toBeNull();
  });
});
