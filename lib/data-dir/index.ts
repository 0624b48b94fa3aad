// DATA_DIR on disk: owner-only modes for everything the stack keeps there.
export { restrictDataDir, type RestrictDataDirResult } from "./restrict-data-dir";
