/**
 * Wire Lab's byte dissectors: HTTP/1.1, chunked coding, Server-Sent Events and WebSocket, each
 * field mapped back to its bytes. Pure TypeScript, no I/O: the same code runs in the browser
 * inspector, the server and the tests. README.md describes the output model.
 */
export { ByteQueue } from './byte-queue.ts';
export type { Direction, Field, FieldError, Range } from './bytes.ts';
export { ChunkedDecoder } from './chunked.ts';
export type { ConnectionOptions, ConnectionSummary, Technique } from './connection.ts';
export { ConnectionDissector } from './connection.ts';
export type { WireError } from './errors.ts';
export { INVALID_PAYLOAD, MESSAGE_TOO_BIG, PROTOCOL_ERROR } from './errors.ts';
export type { EventStreamHooks, SseEvent } from './event-stream.ts';
export { EventStreamParser, isEventStream } from './event-stream.ts';
export type { Framing } from './http-framing.ts';
export { bodyFraming } from './http-framing.ts';
export type { BodyFraming, HttpMessage, HttpRequest, HttpResponse } from './http-head.ts';
export { headerTokens, headerValues } from './http-head.ts';
export type { HttpHooks, Step } from './http-message.ts';
export { HttpDecoder } from './http-message.ts';
export type { InflateResult } from './inflate.ts';
export { inflateRaw, RawInflater } from './inflate.ts';
export type { WireLimits } from './limits.ts';
export { DEFAULT_LIMITS } from './limits.ts';
export { sha1 } from './sha1.ts';
export { invalidUtf8At, Utf8Validator } from './utf8.ts';
export type { WsFrame } from './ws-frame.ts';
export { FrameDecoder } from './ws-frame.ts';
export type { DeflateParams, HandshakeCheck } from './ws-handshake.ts';
export {
  acceptKey,
  base64,
  checkHandshake,
  deflateParams,
  isWebSocketUpgrade,
  WEBSOCKET_GUID,
} from './ws-handshake.ts';
export type { FrameHeader, WsMessage } from './ws-message.ts';
export type { ClosePayload } from './ws-close.ts';
export { CLOSE_CODE_NAMES, closeCodeName, closePayload, isValidCloseCode } from './ws-close.ts';
export { MessageAssembler, OPCODE_NAMES } from './ws-message.ts';
