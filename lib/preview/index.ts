export { createPreviewToken } from "./preview-tokens";
export { listSessionPorts, parsePortParam, setPortVisibility } from "./session-ports";
export { parsePreviewHost, previewUrlOf } from "./preview-host";
export * from "./schemas";
export { createActivityRecorder, findPreviewGrant, findPreviewSession, isReadyForPreview, isSessionEnded, wakeSessionForPreview, watchSessionChanges, type PreviewGrant, type PreviewSession } from "./preview-access";
