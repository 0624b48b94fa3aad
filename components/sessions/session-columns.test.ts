import { describe, expect, it } from "vitest";
import { formatUsdAmount, sessionDurationSeconds } from "./session-columns";

describe("sessions list columns", () => {
  it("formats a session's cost in dollars, with the digits of less than a cent", () => {
    expect(formatUsdAmount("0")).toBe("$0.00");
    expect(formatUsdAmount("0.0012")).toBe("$0.0012");
    expect(formatUsdAmount("0.000001")).toBe("$0.000001");
    expect(formatUsdAmount("0.01")).toBe("$0.01");
    expect(formatUsdAmount("0.014999")).toBe("$0.01");
    expect(formatUsdAmount("0.015")).toBe("$0.02");
    expect(formatUsdAmount("1234.5")).toBe("$1,234.50");
    expect(formatUsdAmount("oops")).toBe("oops");
  });

  it("measures a session from creation to termination, or to now while it lasts", () => {
    const createdAt = "2026-01-01T00:00:00.000Z";
    expect(sessionDurationSeconds({ createdAt, terminatedAt: "2026-01-01T00:10:00.000Z" })).toBe(600);
    expect(sessionDurationSeconds({ createdAt, terminatedAt: null }, Date.parse("2026-01-01T01:00:00.000Z"))).toBe(3600);
  });
});
