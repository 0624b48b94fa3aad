"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import type { FormEvent } from "react";
import { apiFetch, ApiError, formLevelError } from "../api-client";
import type { MyTenant } from "../api-types";
import { Button } from "../ui/button";
import { InlineError } from "../ui/states";
import { TenantFields, useTenantNameSlug } from "./tenant-fields";

export function NewTenantForm() {
  const router = useRouter();
  const tenant = useTenantNameSlug();
  const create = useMutation({
    mutationFn: () => apiFetch<MyTenant>("/tenants", { method: "POST", body: { name: tenant.name, slug: tenant.slug } }),
    onSuccess: (created) => {
      router.push(`/t/${created.slug}`);
      router.refresh();
    },
  });
  const err = create.error instanceof ApiError ? create.error : null;
  const slugError = err?.fieldError("slug");

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    create.mutate();
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <TenantFields state={tenant} errors={{ name: err?.fieldError("name"), slug: slugError === "taken" ? "This slug is taken; pick another." : slugError }} />
      <InlineError error={formLevelError(create.error, ["name", "slug"])} />
      <Button type="submit" className="w-full" pending={create.isPending || create.isSuccess} disabled={!tenant.name || !tenant.slug}>
        {create.isPending || create.isSuccess ? "Creating tenant…" : "Create tenant"}
      </Button>
    </form>
  );
}
