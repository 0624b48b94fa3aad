/** Environment for the tools we spawn (zstd, getfattr/setfattr, mknod): Debian's paths, C locale. */
export const CHILD_ENV = { PATH: "/usr/local/bin:/usr/bin:/bin", LC_ALL: "C" } as unknown as NodeJS.ProcessEnv;
