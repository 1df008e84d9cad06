/**
 * Every bound of the dissectors, in one place. They run in the browser and in the server, on
 * connections that may live for hours (a comet stream, a chat socket), so what they keep for
 * display is capped; the bytes still flow through and are counted. Override per connection with
 * `new ConnectionDissector({ limits: { … } })`.
 */
export interface WireLimits {
  /** Top-level items kept per connection; older ones are dropped and counted. */
  maxItems: number;
  /** Decoded bytes kept per value (a body, a chunk, a frame payload, SSE data) for display. */
  maxValueBytes: number;
  /** Largest HTTP head (start line + headers) and longest chunk-size or trailer line. */
  maxHeadBytes: number;
  /** Requests waiting for their response that are remembered for pairing; older ones are forgotten. */
  maxUnanswered: number;
  /** Bytes held undecoded while waiting (client bytes after an upgrade request, before the answer). */
  maxPendingBytes: number;
  /** Compressed bytes of one permessage-deflate message kept for inflating. */
  maxInflateInput: number;
  /** Inflated bytes produced for one message before giving up (a deflate bomb stays cheap). */
  maxInflateOutput: number;
  /**
   * Inflated bytes produced for one direction of one connection: past it, its messages are listed
   * compressed, not inflated. A peer that keeps sending messages just under `maxInflateOutput`
   * (after its server already closed 1009, the bytes still cross the socket) costs the inspector
   * this much work at most, not that much per message.
   */
  maxInflateTotal: number;
  /** Lines listed inside one SSE event item; more are counted, not listed. */
  maxSseLines: number;
  /** Byte ranges listed for one field; past it the last range is widened. */
  maxRanges: number;
  /** A response that starts this many µs after its request ended is counted as a long poll. */
  longPollMicros: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;

export const DEFAULT_LIMITS: Readonly<WireLimits> = {
  maxItems: 10_000,
  maxValueBytes: 64 * KiB,
  maxHeadBytes: 64 * KiB,
  maxUnanswered: 1000,
  maxPendingBytes: 1 * MiB,
  maxInflateInput: 1 * MiB,
  // 16× the lab's message bound (64 KiB): a bomb stops after ~10 ms of inflating, in any browser.
  maxInflateOutput: 1 * MiB,
  maxInflateTotal: 16 * MiB,
  maxSseLines: 1000,
  maxRanges: 256,
  longPollMicros: 1_000_000,
};
