import { env } from "../env";

export function authSecret(): string {
  if (!env.AUTH_SECRET) throw new Error("AUTH_SECRET is not set (npm start creates one under DATA_DIR)");
  return env.AUTH_SECRET;
}
