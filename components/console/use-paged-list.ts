"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { apiFetch, type ApiRequest } from "../api-client";
import type { Page } from "../api-types";
import { useTenantApi } from "./console-context";

type PagedListOptions<T> = {
  enabled?: boolean;
  /** Polls every loaded page; given the items so far, says how often (ms) or not at all (false). */
  refetchInterval?: (items: T[]) => number | false;
};

/**
 * A cursor-paginated list endpoint (`{data, nextCursor}`) as one growing list with "load more".
 * `name` keys the cache; `query` is sent with every page and is part of the key.
 */
export function usePagedList<T>(name: string, path: string, query: ApiRequest["query"] = {}, opts: PagedListOptions<T> = {}) {
  const { refetchInterval } = opts;
  const { slug, key } = useTenantApi();
  const result = useInfiniteQuery({
    queryKey: key(name, query),
    queryFn: ({ pageParam, signal }) => apiFetch<Page<T>>(path, { tenant: slug, query: { ...query, cursor: pageParam }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: opts.enabled ?? true,
    refetchInterval: refetchInterval ? (q) => refetchInterval(q.state.data?.pages.flatMap((p) => p.data) ?? []) : undefined,
  });
  return { ...result, items: result.data?.pages.flatMap((p) => p.data) ?? [] };
}
