import { describe, expect, it } from "vitest";
import { describeNetwork, draftOf, policyErrorsOf, policyOf } from "./policy-draft";

describe("policy drafts", () => {
  it("turn lines into a policy: trimmed, lower-cased, blank lines skipped", () => {
    const checked = policyOf({ egress: "deny", allowOut: " PyPI.org \n\n*.pythonhosted.org\n10.0.0.0/8", denyOut: "evil.example.com." });
    expect(checked).toEqual({
      policy: { egress: "deny", allowOut: ["pypi.org", "*.pythonhosted.org", "10.0.0.0/8"], denyOut: ["evil.example.com"] },
      errors: null,
    });
  });

  it("name the list and the line of the first bad entry, and send nothing", () => {
    const checked = policyOf({ egress: "allow", allowOut: "pypi.org\n\nnot a domain!", denyOut: "10.0.0.0/33" });
    expect(checked.policy).toBeNull();
    expect(checked.errors?.allowOut).toMatch(/^Allowed, line 3: "not a domain!" must be an IP address/);
    expect(checked.errors?.denyOut).toMatch(/^Denied, line 1: "10.0.0.0\/33"/);
  });

  it("refuse more entries than the API takes", () => {
    const many = Array.from({ length: 257 }, (_, i) => `10.0.${Math.floor(i / 250)}.${i % 250}`).join("\n");
    expect(policyOf({ egress: "allow", allowOut: many, denyOut: "" }).errors).toEqual({ allowOut: "Allowed: at most 256 entries" });
  });

  it("start from a stored policy, or open for a session without one", () => {
    expect(draftOf({ egress: "deny", allowOut: ["a.test", "b.test"], denyOut: [] })).toEqual({ egress: "deny", allowOut: "a.test\nb.test", denyOut: "" });
    expect(draftOf("none")).toEqual({ egress: "allow", allowOut: "", denyOut: "" });
  });

  it("map the API's field paths to the list and entry", () => {
    expect(policyErrorsOf([
      { path: "body.network.allowOut.1", message: "must be an IP address" },
      { path: "body.denyOut", message: "Too big" },
      { path: "body.template", message: "unknown" },
    ])).toEqual({ allowOut: "Allowed, entry 2: must be an IP address", denyOut: "Denied: Too big" });
  });

  it("describe a policy in one line", () => {
    expect(describeNetwork("none")).toBe("No network (loopback only)");
    expect(describeNetwork({ egress: "deny", allowOut: ["a.test"], denyOut: [] })).toBe("Internet denied, 1 allowed");
    expect(describeNetwork({ egress: "allow", allowOut: [], denyOut: [] })).toBe("Internet allowed");
  });
});
