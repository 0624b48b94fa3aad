// An endpoint's contract: method, path, required scopes and zod schemas. The same object drives
// request validation in withApi and the OpenAPI document, so the two cannot disagree.
import type { z } from "zod";
import type { Scope } from "../auth/scopes";

export type AuthMode =
  /** API key or signed-in user, acting in one tenant (the default). */
  | "tenant"
  /** A signed-in user acting outside any one tenant. */
  | "user"
  /** No credentials needed. */
  | "none";

export type Endpoint<
  B extends z.ZodType | undefined = z.ZodType | undefined,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
  A extends AuthMode = AuthMode,
  R extends z.ZodType | undefined = z.ZodType | undefined,
> = {
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  path: string;
  summary: string;
  tag: string;
  auth?: A;
  scopes?: Scope[];
  body?: B;
  /** A raw (non-JSON) request body the handler reads itself, e.g. an upload: documented in OpenAPI. */
  rawBody?: { contentTypes: string[]; maxBytes: number; description: string };
  query?: Q;
  /** The JSON answer's schema: the handler's return type, and checked against every answer outside production. */
  response?: R;
  /** HTTP status of a successful answer. */
  status?: number;
};

export function defineEndpoint<
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  A extends AuthMode = "tenant",
  R extends z.ZodType | undefined = undefined,
>(endpoint: Endpoint<B, Q, A, R>): Endpoint<B, Q, A, R> {
  return endpoint;
}
