// The Convex sync protocol (WebSocket at /api/<client version>/sync, JSON
// text frames): message types and their codec, shared by the embedded
// backend and the load generator's lean client.
export type * from "./messages.ts";
export { encodeTs, decodeTs, MAX_U64 } from "./timestamp.ts";
export { encodeClientMessage, decodeClientMessage } from "./clientCodec.ts";
export {
  encodeServerMessage,
  decodeServerMessage,
  encodeModificationBody,
  joinModification,
  encodeQueryRemoved,
  encodeTransitionFrame,
  type ModificationBody,
} from "./serverCodec.ts";
export { splitTransitionFrame, TransitionAssembler } from "./transitionChunks.ts";
export { syncPath, parseSyncPath } from "./syncPath.ts";
export { canonicalUdfPath } from "./udfPath.ts";
