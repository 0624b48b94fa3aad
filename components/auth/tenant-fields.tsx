"use client";

import { useState } from "react";
import { slugify } from "../format";
import { TextField } from "../ui/field";

/** Name and slug of a new tenant; the slug follows the name until someone edits it. */
export function useTenantNameSlug() {
  const [name, setName] = useState("");
  const [slug, setSlug] = useState("");
  const [slugEdited, setSlugEdited] = useState(false);
  return {
    name,
    slug,
    setName(value: string) {
      setName(value);
      if (!slugEdited) setSlug(slugify(value));
    },
    setSlug(value: string) {
      setSlugEdited(value !== "");
      setSlug(value.toLowerCase());
    },
  };
}

type Props = { state: ReturnType<typeof useTenantNameSlug>; errors: { name?: string; slug?: string } };

export function TenantFields({ state, errors }: Props) {
  return (
    <>
      <TextField id="tenantName" label="Tenant name" required maxLength={100} placeholder="Acme Research" value={state.name}
        onChange={(e) => state.setName(e.target.value)} error={errors.name} hint="Usually your team or company." />
      <TextField id="tenantSlug" label="Tenant slug" required maxLength={40} placeholder="acme-research" value={state.slug}
        onChange={(e) => state.setSlug(e.target.value)} error={errors.slug} autoCapitalize="none" spellCheck={false}
        hint={<>Used in URLs: /t/{state.slug || "your-slug"}. 3–40 lowercase letters, digits and dashes.</>} />
    </>
  );
}
