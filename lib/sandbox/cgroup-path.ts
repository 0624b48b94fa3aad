/** runc creates it (and removes it on delete); absolute, so it means the same on cgroup v1 and v2. */
export const cgroupsPathOf = (containerId: string) => `/burrow/${containerId}`;
