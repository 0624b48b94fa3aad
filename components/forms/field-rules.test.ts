import { describe, expect, it } from "vitest";
import { z } from "zod";
import { updateBillingSettingsSchema } from "@/lib/billing/schemas";
import { createApiKeySchema } from "@/lib/keys/schemas";
import { idlePolicySchema, resourcesSchema } from "@/lib/templates/schemas";
import { updateTenantSchema } from "@/lib/tenants/schemas";
import { checkField, checkFields, formatAmount, type FieldRule } from "./field-rules";

const memory: FieldRule = { schema: resourcesSchema.shape.memoryMib, label: "Memory", unit: "mib" };
const vcpu: FieldRule = { schema: resourcesSchema.shape.vcpu, label: "vCPU", unit: "vcpu" };
const pause: FieldRule = { schema: idlePolicySchema.shape.pauseAfterSeconds, label: "Pause after idle", unit: "seconds" };
const spend: FieldRule = { schema: updateBillingSettingsSchema.shape.spendLimitCents, label: "Spend limit", unit: "cents" };
const days: FieldRule = { schema: updateTenantSchema.shape.logRetentionDays.unwrap(), label: "Log retention", unit: "days" };
const keyName: FieldRule = { schema: createApiKeySchema.shape.name, label: "Key name" };
const scopes: FieldRule = { schema: createApiKeySchema.shape.scopes, label: "Scopes", item: "scope" };

describe("form checks in the user's words, from the API's schemas", () => {
  it("names both bounds of a number in its unit, whichever side was crossed", () => {
    expect(checkField(memory, 16)).toBe("Memory must be between 64 MiB and 256 GiB");
    expect(checkField(memory, 10_000_000)).toBe("Memory must be between 64 MiB and 256 GiB");
    expect(checkField(vcpu, 0)).toBe("vCPU must be between 0.1 vCPU and 64 vCPU");
    expect(checkField(pause, 0)).toBe("Pause after idle must be between 1 second and 1 day");
    expect(checkField(days, 400)).toBe("Log retention must be between 1 day and 365 days");
  });

  it("says money in dollars, though the API takes cents", () => {
    expect(checkField(spend, -500)).toBe("Spend limit must be between $0.00 and $20,000,000.00");
    expect(checkField(spend, 123.4)).toBe("Spend limit can have at most two decimal places (whole cents)");
    expect(checkField(spend, "abc")).toBe("Spend limit must be a number");
  });

  it("asks for whole numbers in the field's unit", () => {
    expect(checkField(memory, 100.5)).toBe("Memory must be a whole number of MiB");
    expect(checkField(days, 1.5)).toBe("Log retention must be a whole number of days");
  });

  it("says a required text is required and how long it may be; a list needs a choice", () => {
    expect(checkField(keyName, "   ")).toBe("Key name is required");
    expect(checkField(keyName, "x".repeat(101))).toBe("Key name can be at most 100 characters long");
    expect(checkField(scopes, [])).toBe("Choose at least one scope");
  });

  it("passes what the API accepts, including a left-out optional field", () => {
    expect(checkField(memory, 512)).toBeUndefined();
    expect(checkField(memory, undefined)).toBeUndefined();
    expect(checkField(spend, null)).toBeUndefined();
    expect(checkFields({ memory, keyName }, { memory: 1024, keyName: "ci" })).toEqual({});
    expect(checkFields({ memory, keyName }, { memory: 1, keyName: "" })).toEqual({
      memory: "Memory must be between 64 MiB and 256 GiB",
      keyName: "Key name is required",
    });
  });

  it("keeps a schema's own message, named by the field, and never shows zod's defaults", () => {
    const label: FieldRule = { schema: z.string().regex(/^[a-z]+$/, "only lowercase letters"), label: "Label" };
    expect(checkField(label, "A1")).toBe("Label: only lowercase letters");
    const plain: FieldRule = { schema: z.string().regex(/^[a-z]+$/), label: "Label" };
    expect(checkField(plain, "A1")).toBe("Label is not valid");
    for (const message of [checkField(memory, 1), checkField(spend, -1), checkField(keyName, "")]) {
      expect(message).not.toMatch(/expected|Too small|Too big|>=|<=/);
    }
  });

  it("formats amounts by unit", () => {
    expect(formatAmount(262_144, "mib")).toBe("256 GiB");
    expect(formatAmount(2_000_000_000, "cents")).toBe("$20,000,000.00");
    expect(formatAmount(86_400, "seconds")).toBe("1 day");
    expect(formatAmount(5_400, "seconds")).toBe("90 minutes");
    expect(formatAmount(5_430, "seconds")).toBe("1 h 31 min");
    expect(formatAmount(1_000, undefined)).toBe("1,000");
  });
});
