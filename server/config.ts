/**
 * Every bound and default of the server, in one place.
 *
 * Each value can be overridden by an environment variable of the same name
 * (`WIRELAB_MAX_CONNECTIONS_PER_SESSION=16 npm start`). A value that is not a
 * whole number in its range stops the server at start with a message that
 * names the variable, rather than running with a surprise.
 */

export interface Bound {
  /** Environment variable that overrides it. */
  readonly env: string;
  readonly value: number;
}

function readInt(env: string, fallback: number, min: number, max: number): number {
  const raw = process.env[env];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) {
    throw new Error(`${env}="${raw}" is not a whole number (expected ${min}–${max}).`);
  }
  const n = Number(raw.trim());
  if (n < min || n > max) {
    throw new Error(`${env}=${n} is out of range (expected ${min}–${max}).`);
  }
  return n;
}

function readString(env: string, fallback: string): string {
  const raw = process.env[env];
  return raw === undefined || raw === '' ? fallback : raw;
}

/** A Redis URL (`redis://[user:password@]host[:port][/db]`, or `rediss://`), or '' when not set. */
function readRedisUrl(env: string): string {
  const raw = readString(env, '');
  if (raw === '') return '';
  const url = URL.parse(raw);
  if (!url || !/^rediss?:$/.test(url.protocol) || url.hostname === '') {
    throw new Error(`${env}="${raw}" is not a Redis URL (expected e.g. redis://127.0.0.1:6379).`);
  }
  return raw;
}

/** An origin (`scheme://host[:port]`, nothing after it), or '' when the variable is not set. */
function readOrigin(env: string): string {
  const raw = readString(env, '');
  if (raw === '') return '';
  const url = URL.parse(raw);
  if (!url || !/^https?:$/.test(url.protocol) || url.origin !== raw.replace(/\/$/, '')) {
    throw new Error(`${env}="${raw}" is not an origin (expected e.g. https://wirelab.example.org, no path).`);
  }
  return url.origin;
}

const KiB = 1024;
const MiB = 1024 * 1024;

export const config = {
  // ---- where the server listens
  /** Interface to bind. `0.0.0.0` opens it to a classroom LAN. */
  host: readString('HOST', 'localhost'),
  /** TCP port. 0 picks a free one (tests do this). */
  port: readInt('PORT', 4321, 0, 65535),

  // ---- HTTP timeouts (Node's defaults let a stalled head live ~90 s)
  /** A request head must arrive complete within this many ms, else 408. */
  headersTimeoutMs: readInt('WIRELAB_HEADERS_TIMEOUT_MS', 20_000, 1_000, 120_000),
  /** A whole request (head + body) must arrive within this many ms. */
  requestTimeoutMs: readInt('WIRELAB_REQUEST_TIMEOUT_MS', 30_000, 1_000, 300_000),
  /** How often Node checks the two timeouts above. */
  connectionsCheckingIntervalMs: readInt('WIRELAB_TIMEOUT_CHECK_MS', 2_000, 100, 30_000),
  /** Idle keep-alive connections are closed after this many ms. */
  keepAliveTimeoutMs: readInt('WIRELAB_KEEPALIVE_TIMEOUT_MS', 5_000, 100, 120_000),
  /** Largest request head accepted (431 beyond). */
  maxHeaderBytes: readInt('WIRELAB_MAX_HEADER_BYTES', 16 * KiB, 1 * KiB, 64 * KiB),
  /** Most header lines accepted in one request (431 beyond). */
  maxHeadersCount: readInt('WIRELAB_MAX_HEADERS_COUNT', 100, 10, 2000),
  /** On SIGINT/SIGTERM, open streams get this long to end before sockets are cut. */
  shutdownGraceMs: readInt('WIRELAB_SHUTDOWN_GRACE_MS', 2_000, 0, 30_000),

  // ---- the lab (sandbox endpoints), per session unless said otherwise
  /** Sessions alive at once on the whole server (503 for a new one beyond). */
  maxSessions: readInt('WIRELAB_MAX_SESSIONS', 2_000, 1, 100_000),
  /** A session nobody used for this long is forgotten (its feed, rooms, capture). */
  sessionIdleMs: readInt('WIRELAB_SESSION_IDLE_MS', 30 * 60_000, 1_000, 24 * 3_600_000),
  /** Open lab connections (HTTP and WebSocket) one session may hold at once. */
  maxConnectionsPerSession: readInt('WIRELAB_MAX_CONNECTIONS_PER_SESSION', 8, 1, 1_000),
  /** Lab requests one session may start per second (token bucket, burst = 2×). */
  requestsPerSecond: readInt('WIRELAB_REQUESTS_PER_SECOND', 20, 1, 10_000),
  /** Messages one stream (comet, SSE, WebSocket feed) may carry before it ends; not in a class (docs/lab-api.md). */
  maxStreamMessages: readInt('WIRELAB_MAX_STREAM_MESSAGES', 500, 1, 1_000_000),
  /** Longest life of one stream or WebSocket, in ms; not in a class (docs/lab-api.md). */
  maxStreamMs: readInt('WIRELAB_MAX_STREAM_MS', 5 * 60_000, 1_000, 24 * 3_600_000),
  /** Largest message: a POST body, a WebSocket message (ws maxPayload). */
  maxMessageBytes: readInt('WIRELAB_MAX_MESSAGE_BYTES', 64 * KiB, 1 * KiB, 16 * MiB),
  /** Messages a feed keeps for late readers (`since=`, `Last-Event-ID`). */
  feedKeep: readInt('WIRELAB_FEED_KEEP', 1_000, 10, 1_000_000),
  /** Bytes a slow reader may leave unread in the server before it is cut. */
  maxBufferedBytes: readInt('WIRELAB_MAX_BUFFERED_BYTES', 1 * MiB, 16 * KiB, 256 * MiB),
  /** Bytes of messages a feed keeps (with `feedKeep`, whichever is hit first; the newest is always kept). */
  feedKeepBytes: readInt('WIRELAB_FEED_KEEP_BYTES', 256 * KiB, 1 * KiB, 256 * MiB),
  /**
   * Subscribers of one feed told of a message in one turn of the event loop; the rest follow in
   * the next turns, in order (server/lab/fan-out.ts). A class's push to 300 learners is about 900
   * calls. 0: all in one turn.
   */
  feedFanOutSlice: readInt('WIRELAB_FEED_FAN_OUT_SLICE', 256, 0, 1_000_000),
  /**
   * Most time (ms) a turn of the event loop spends telling one feed's readers of a message
   * (server/lab/fan-out.ts), and, counted apart, on work that timers start in herds — a class's
   * held polls answering after their gathering, its inspector channels' batches — before the rest
   * waits for the next turns, in order (server/turns.ts). 0: all of it in the turn it came due.
   */
  turnBudgetMs: readInt('WIRELAB_TURN_BUDGET_MS', 10, 0, 10_000),
  /** Shared room feeds (`room=<code>`) alive at once on the whole server (503 for a new one beyond). */
  maxRooms: readInt('WIRELAB_MAX_ROOMS', 500, 1, 100_000),
  /** Fragments one WebSocket message may arrive in (ws `maxFragments`; close 1008 beyond). */
  maxMessageFragments: readInt('WIRELAB_MAX_MESSAGE_FRAGMENTS', 1_024, 1, 1_000_000),
  /** The made-up stock quote ticks this often (ms) while someone listens to the feed. */
  tickIntervalMs: readInt('WIRELAB_TICK_INTERVAL_MS', 1_000, 10, 60_000),
  /** After the last short poll (`news`), the ticker keeps ticking this long (ms) for the next one. */
  tickLingerMs: readInt('WIRELAB_TICK_LINGER_MS', 10_000, 0, 600_000),
  /** A long poll with no `timeout=` answers 204 after this many ms. */
  pollTimeoutMs: readInt('WIRELAB_POLL_TIMEOUT_MS', 25_000, 0, 600_000),
  /** Largest `timeout=` a long poll may ask for (ms). */
  maxPollTimeoutMs: readInt('WIRELAB_MAX_POLL_TIMEOUT_MS', 60_000, 0, 600_000),
  /** An SSE stream sends a `:heartbeat` comment line every this many ms. */
  sseHeartbeatMs: readInt('WIRELAB_SSE_HEARTBEAT_MS', 15_000, 10, 600_000),
  /** Largest `delay=` fault a request may ask for (ms). */
  maxDelayMs: readInt('WIRELAB_MAX_DELAY_MS', 30_000, 0, 600_000),

  // ---- classrooms (server/classroom/, docs/classroom.md)
  /** Classes alive at once on the whole server (503 for a new one beyond). */
  maxClasses: readInt('WIRELAB_MAX_CLASSES', 20, 1, 10_000),
  /** Classes one address may run at once (429 beyond); the server's own machine is not limited. */
  maxClassesPerAddress: readInt('WIRELAB_MAX_CLASSES_PER_ADDRESS', 3, 1, 10_000),
  /** Learners one class takes (503 for a join beyond). */
  maxLearnersPerClass: readInt('WIRELAB_MAX_LEARNERS_PER_CLASS', 500, 1, 10_000),
  /** A class nobody acted in for this long ends: its channels close (4410), its learners' sessions are unbound. */
  classIdleMs: readInt('WIRELAB_CLASS_IDLE_MS', 3 * 3_600_000, 1_000, 7 * 24 * 3_600_000),
  /**
   * A class nobody ever joined, with no teacher's dashboard open, ends after this long unused: a
   * class made and forgotten (or made by the hundred from many addresses) does not hold a place
   * of `maxClasses` for `classIdleMs`. A teacher waiting on the dashboard keeps it.
   */
  emptyClassIdleMs: readInt('WIRELAB_EMPTY_CLASS_IDLE_MS', 20 * 60_000, 1_000, 7 * 24 * 3_600_000),
  /** Messages one teacher or learner class channel may send per second (burst 2×; close 1008 beyond). */
  classMessagesPerSecond: readInt('WIRELAB_CLASS_MESSAGES_PER_SECOND', 20, 1, 10_000),
  /**
   * Class requests one client address may make per second that name no class it may use (`POST
   * /class`, a malformed code; burst 2×; 429 beyond): a coarse outer bound sized for a school behind
   * one NAT. Requests naming a class take from `classRequestsPerClassPerSecond`, guesses from
   * `joinCodeMissesPerAddress` and `joinCodeMissesPerMinute`.
   */
  classRequestsPerSecond: readInt('WIRELAB_CLASS_REQUESTS_PER_SECOND', 200, 1, 10_000),
  /** Bytes of handed-in code a class keeps (oldest forgotten first); one hand-in is at most `maxMessageBytes`. */
  classHandInBytes: readInt('WIRELAB_CLASS_HAND_IN_BYTES', 8 * MiB, 64 * KiB, 1_024 * MiB),
  /** Browser tabs (lab sessions) one learner may have bound to the class room at once (the oldest is unbound beyond). */
  classTabsPerLearner: readInt('WIRELAB_CLASS_TABS_PER_LEARNER', 4, 1, 100),
  /** The teacher's dashboard gets the learners' activity this often (ms). */
  classActivityMs: readInt('WIRELAB_CLASS_ACTIVITY_MS', 1_000, 50, 60_000),

  // ---- the class store (server/classroom/store/, docs/classroom.md "What is stored")
  /**
   * Directory of the class store's file (`classes.sqlite`), relative to where the server starts;
   * `:memory:` keeps classes in memory only (a restart ends them). Tests use `:memory:`.
   */
  dataDir: readString('WIRELAB_DATA_DIR', './data'),

  // ---- capture (what the inspector shows)
  /** Bytes of captured traffic kept per session (a ring: oldest dropped first). */
  captureBytesPerSession: readInt('WIRELAB_CAPTURE_BYTES_PER_SESSION', 2 * MiB, 64 * KiB, 256 * MiB),
  /**
   * Bytes of captured traffic kept across all sessions, records' own memory included. 32 MiB: a
   * class of 300 keeps ≥ 110 KB of recent traffic each (minutes of a class's pushes; a learner
   * alone keeps the full per-session 2 MiB), and a class of 300 stays under 256 MB at the plateau
   * (64 MiB held ≈ 35 MB more: docs/performance.md).
   */
  captureBytesTotal: readInt('WIRELAB_CAPTURE_BYTES_TOTAL', 32 * MiB, 1 * MiB, 8 * 1024 * MiB),
  /**
   * A capture log nobody watches (no inspector channel open) that recorded nothing for this long
   * is forgotten; its session lives on. A closed page's records go after a minute, not with the
   * session half an hour later: a crowd that came and went gives its memory back.
   */
  captureIdleMs: readInt('WIRELAB_CAPTURE_IDLE_MS', 60_000, 1_000, 24 * 3_600_000),
  /** Inspector channels open at once per session. */
  maxInspectorsPerSession: readInt('WIRELAB_MAX_INSPECTORS_PER_SESSION', 4, 1, 100),
  /**
   * Inspector channels one client address may hold open across all sessions (close 1013 beyond):
   * a school of 500 behind one NAT, each page with its panel's and its checks' channel, fits; one
   * address opening channels on made-up sessions (each a fresh capture subscription) does not.
   */
  maxInspectorsPerAddress: readInt('WIRELAB_MAX_INSPECTORS_PER_ADDRESS', 1_000, 1, 100_000),
  /** Inspector channels open on the server at once, from every address (close 1013 beyond). */
  maxInspectors: readInt('WIRELAB_MAX_INSPECTORS', 4_000, 1, 1_000_000),
  /** Records are sent to an inspector at most this often, batched (one frame per batch, 20 a second); after 5 quiet batches, at once. */
  inspectorBatchMs: readInt('WIRELAB_INSPECTOR_BATCH_MS', 50, 0, 1_000),
  /**
   * While records keep coming (three batches in a row with no quiet spell), the batch window
   * grows to this: a class pushing 10 times a second sends each panel 4 frames a second, not 10
   * (each frame is a socket write, the biggest cost of the capture). Never below `inspectorBatchMs`.
   */
  inspectorSustainedBatchMs: readInt('WIRELAB_INSPECTOR_SUSTAINED_BATCH_MS', 250, 0, 5_000),
  /** Bytes an inspector may leave unread before the server stops sending and skips ahead (with a `dropped` notice). */
  inspectorMaxBufferedBytes: readInt('WIRELAB_INSPECTOR_MAX_BUFFERED_BYTES', 1 * MiB, 64 * KiB, 64 * MiB),
  /** An inspector that reads nothing for this long while data waits is closed (1008; it may resume with `after=`). */
  inspectorStallMs: readInt('WIRELAB_INSPECTOR_STALL_MS', 30_000, 1_000, 600_000),

  // ---- fair shares: no page, address or learner holds more than its share (docs/lab-api.md "Fair shares")
  /**
   * Reverse proxies whose `Forwarded` / `X-Forwarded-For` name the client: IPv4/IPv6 addresses and
   * CIDRs, comma-separated (`127.0.0.1, 10.0.0.0/8`). Empty: the headers are ignored and the TCP
   * peer is the client. Checked at start (server/client-address.ts).
   */
  trustProxy: readString('WIRELAB_TRUST_PROXY', ''),
  /**
   * A session or room that never carried real work (no inspector watching, no class, no stream or
   * WebSocket; for a room: no post, no listener) is forgotten after this many ms idle, and is the
   * first to make room when a table is full.
   */
  unprovenIdleMs: readInt('WIRELAB_UNPROVEN_IDLE_MS', 30_000, 1_000, 3_600_000),
  /**
   * Sessions not bound to a class one client address may hold (429 beyond, after its own idle
   * unproven ones made room): half of `maxSessions`, so a school of 500 behind one NAT, two tabs
   * each, fits, and one address never holds the whole table.
   */
  maxSessionsPerAddress: readInt('WIRELAB_MAX_SESSIONS_PER_ADDRESS', 1_000, 1, 100_000),
  /** Rooms not held by a class one client address may have created and still alive (429 beyond, likewise). */
  maxRoomsPerAddress: readInt('WIRELAB_MAX_ROOMS_PER_ADDRESS', 100, 1, 100_000),
  /** Open lab connections one client address may hold in sessions not bound to a class (429 / close 1013 beyond): 500 learners × 4. */
  maxConnectionsPerAddress: readInt('WIRELAB_MAX_CONNECTIONS_PER_ADDRESS', 2_000, 1, 1_000_000),
  /**
   * Requests and channel handshakes naming one class, per second (burst 2×; 429 beyond): the class's
   * own bucket, so no traffic outside a class slows it. 500 learners each GET, join and open the
   * channel (1,500 requests) fit in the burst of 1,000 and the next two seconds, however they bunch
   * up within 10 s; each is cheap, and keys and tokens are 128-bit, so the rate guards CPU only.
   */
  classRequestsPerClassPerSecond: readInt('WIRELAB_CLASS_REQUESTS_PER_CLASS_PER_SECOND', 500, 1, 100_000),
  /**
   * Unknown join codes one client address may name per minute (burst as many): beyond, every
   * lookup by code from it waits (429), known code or not, so the refusal tells a guesser nothing.
   */
  joinCodeMissesPerAddress: readInt('WIRELAB_JOIN_CODE_MISSES_PER_ADDRESS', 60, 1, 100_000),
  /**
   * Unknown join codes the whole server answers per minute (burst as many): beyond, addresses that
   * named an unknown code in the last minute wait (429); everyone else is answered.
   */
  joinCodeMissesPerMinute: readInt('WIRELAB_JOIN_CODE_MISSES_PER_MINUTE', 120, 1, 1_000_000),
  // ---- how long a lab connection lives (docs/lab-api.md, "How long a connection lives")
  /**
   * A reader that fell `maxBufferedBytes` behind gets no more messages, then the reason (close frame,
   * SSE comment) behind what it has not read; if it has not taken all of that within this many ms,
   * the connection is cut.
   */
  slowReaderGraceMs: readInt('WIRELAB_SLOW_READER_GRACE_MS', 5_000, 0, 60_000),
  /**
   * The lab pings each of its WebSockets this often (ms); a peer that has not answered the last ping
   * by the next is cut. Browsers answer by themselves: this finds the ones that are gone (a laptop
   * shut, Wi-Fi lost), whose sockets TCP alone would keep for many minutes.
   */
  wsPingMs: readInt('WIRELAB_WS_PING_MS', 30_000, 100, 600_000),
  // ---- stream?split= (docs/lab-api.md, "GET stream")
  /**
   * Pause (ms) between two pieces of a stream cut with `split=`. Without it the pieces leave in one
   * burst and the browser reads them as one, so no read would ever end mid-line; 50 ms keeps each
   * piece a read of its own on a busy machine, and 9 classic messages of ~5 pieces well inside
   * their one-second interval.
   */
  splitGapMs: readInt('WIRELAB_SPLIT_GAP_MS', 50, 0, 1_000),

  // ---- POST complete: an answer streamed token by token (server/lab/complete.ts, docs/lab-api.md "POST complete")
  /** Bytes of UTF-8 a prompt may hold (413 beyond); the request body as a whole is held to `maxMessageBytes`. */
  completePromptBytes: readInt('WIRELAB_COMPLETE_PROMPT_BYTES', 4 * KiB, 16, 64 * KiB),
  /** Largest `max_tokens` a prompt may ask for (400 beyond, naming the bound). */
  completeMaxTokens: readInt('WIRELAB_COMPLETE_MAX_TOKENS', 200, 1, 10_000),
  /** Tokens an answer carries when the prompt names no `max_tokens`. */
  completeTokens: readInt('WIRELAB_COMPLETE_TOKENS', 40, 1, 10_000),
  /** Fastest `pace=` (ms per token) a request may ask for: no faster than a real model types. */
  completePaceMinMs: readInt('WIRELAB_COMPLETE_PACE_MIN_MS', 10, 0, 10_000),
  /** Slowest `pace=` (ms per token): slow enough to watch, fast enough to finish within `completeMaxMs`. */
  completePaceMaxMs: readInt('WIRELAB_COMPLETE_PACE_MAX_MS', 2_000, 1, 60_000),
  /** `pace=` when the request names none: about how fast a chat model's words appear. */
  completePaceMs: readInt('WIRELAB_COMPLETE_PACE_MS', 60, 0, 60_000),
  /**
   * Longest life of one answer (ms), in a class too: the answer ends with a comment saying so and
   * no `[DONE]`. 200 tokens at the slowest pace would take 400 s; a minute is enough to watch one.
   */
  completeMaxMs: readInt('WIRELAB_COMPLETE_MAX_MS', 60_000, 1_000, 3_600_000),

  // ---- learners' own server code (server/sandbox/, server/lab/mine.ts, docs/lab-api.md "Your own server")
  /**
   * Worker threads that host the QuickJS sandboxes (each hosts many sessions' runtimes). A host
   * fault inside WebAssembly can take down a worker, never the server; the worker is replaced.
   */
  sandboxWorkers: readInt('WIRELAB_SANDBOX_WORKERS', 2, 1, 64),
  /**
   * Native stack of each worker thread, in MiB (Worker `resourceLimits.stackSizeMb`). Well above
   * `sandboxStackBytes`, so QuickJS's own check ("stack overflow", with the learner's line) trips
   * before the host's stack does (JSON.stringify of deeply nested data recurses natively).
   */
  sandboxWorkerStackMb: readInt('WIRELAB_SANDBOX_WORKER_STACK_MB', 16, 1, 256),
  /** Live sandboxes (QuickJS runtimes) on the whole server (503 for a new one beyond; idle ones go after `sandboxIdleMs`). */
  maxSandboxes: readInt('WIRELAB_MAX_SANDBOXES', 400, 1, 100_000),
  /** Bytes of handler source one deploy may carry (413 beyond). */
  sandboxSourceBytes: readInt('WIRELAB_SANDBOX_SOURCE_BYTES', 64 * KiB, 1 * KiB, 4 * MiB),
  /** Memory one sandbox may allocate (QuickJS `setMemoryLimit`): "out of memory" beyond, and the sandbox restarts. */
  sandboxMemoryBytes: readInt('WIRELAB_SANDBOX_MEMORY_BYTES', 8 * MiB, 256 * KiB, 512 * MiB),
  /** Stack one sandbox may use (QuickJS `setMaxStackSize`): "stack overflow" beyond (runaway recursion). */
  sandboxStackBytes: readInt('WIRELAB_SANDBOX_STACK_BYTES', 256 * KiB, 16 * KiB, 64 * MiB),
  /** CPU time one call into the handler may take, in ms (an endless loop or a catastrophic regex is interrupted). */
  sandboxCpuMsPerCallback: readInt('WIRELAB_SANDBOX_CPU_MS_PER_CALLBACK', 50, 1, 60_000),
  /**
   * CPU time one session's sandbox may use per second, in ms, across all its callbacks: a timer
   * that spins just under the per-callback bound cannot take a whole worker from everyone else.
   */
  sandboxCpuMsPerSecond: readInt('WIRELAB_SANDBOX_CPU_MS_PER_SECOND', 200, 1, 1_000),
  /** Timers (setTimeout + setInterval) one sandbox may have pending at once. */
  sandboxMaxTimers: readInt('WIRELAB_SANDBOX_MAX_TIMERS', 32, 1, 10_000),
  /** Shortest timer delay in ms: shorter ones are raised to it (browsers clamp nested timers to 4 ms). */
  sandboxMinTimerMs: readInt('WIRELAB_SANDBOX_MIN_TIMER_MS', 4, 0, 1_000),
  /** Bytes one sandbox may write per second across its responses (token bucket, burst 1 s). */
  sandboxBytesPerSecond: readInt('WIRELAB_SANDBOX_BYTES_PER_SECOND', 256 * KiB, 1 * KiB, 256 * MiB),
  /** Bytes one response from a handler may carry in total (its output buffer included). */
  sandboxResponseBytes: readInt('WIRELAB_SANDBOX_RESPONSE_BYTES', 1 * MiB, 1 * KiB, 1_024 * MiB),
  /** Requests one session's handler may be answering at once (429 beyond). */
  sandboxMaxConnections: readInt('WIRELAB_SANDBOX_MAX_CONNECTIONS', 6, 1, 1_000),
  /** A sandbox with no open request for this long is disposed (ms); the next request starts a fresh one from the source. */
  sandboxIdleMs: readInt('WIRELAB_SANDBOX_IDLE_MS', 60_000, 100, 3_600_000),
  /**
   * A worker that has not answered for this long (ms) is stuck inside one built-in call that never
   * checks the CPU bound (a string search that is quadratic, a huge sort): it is terminated and
   * replaced, and its other sessions start again from their code.
   */
  sandboxStallMs: readInt('WIRELAB_SANDBOX_STALL_MS', 2_000, 200, 60_000),
  /** After its handler stalled a worker, a session may not run code for this long (ms), so it cannot stall the next one at once. */
  sandboxQuarantineMs: readInt('WIRELAB_SANDBOX_QUARANTINE_MS', 30_000, 0, 3_600_000),
  /**
   * Console lines kept per session for the playground (oldest dropped first), and the most one
   * sandbox may log in a second (a logging loop cannot flood the server); each line is cut at 1 KiB.
   */
  sandboxConsoleLines: readInt('WIRELAB_SANDBOX_CONSOLE_LINES', 200, 10, 100_000),
  // ---- the capture's wait for a client's FIN (server/capture/fin-wait.ts)
  /**
   * When the server closes a lab socket first (`destroy()`, `drop=N`, a keep-alive timeout), the
   * capture keeps the closed socket's descriptor up to this long (ms) to see the client's answer
   * (its FIN, or bytes the kernel would answer with RST): the inspector then shows the whole
   * ending. Past it the descriptor closes as it would have, and the panel says the answer was not
   * seen. 0 turns the wait off.
   */
  finWaitMs: readInt('WIRELAB_FIN_WAIT_MS', 5_000, 0, 120_000),
  /**
   * Descriptors the capture holds that way at once, across the server (each costs one file
   * descriptor and a few hundred bytes): beyond, a closing socket closes at once and its client's
   * answer goes unseen. 1000: every connection of a class of 250 cut at the same moment.
   */
  maxFinWaits: readInt('WIRELAB_MAX_FIN_WAITS', 1_000, 0, 100_000),

  // ---- a server that stops answering, for lesson 17 (server/lab/ws-plan.ts, docs/lab-api.md "WS ws")
  /**
   * A `ws` muted with `mute=N` (or a plan's `muteN`) sends nothing and answers nothing, pings
   * included, so neither `wsPingMs` nor, in a class, `maxStreamMs` would ever end it: it is cut
   * (no close frame) this many ms after it went quiet. A page's heartbeat notices within seconds.
   */
  maxMuteMs: readInt('WIRELAB_MAX_MUTE_MS', 60_000, 100, 600_000),
  /** Steps a `ws?plan=` may list: each is one more connection the page opens, so few are plenty. */
  maxPlanSteps: readInt('WIRELAB_MAX_PLAN_STEPS', 8, 1, 64),

  // ---- absolute URLs in pages (src/page-origin.ts)
  /**
   * The origin written into pages' absolute links (`hreflang` alternates), e.g.
   * `https://wirelab.example.org`. Empty (the default): each request's own origin, from its Host
   * header, which is right on a school LAN where the same server is `http://192.168.1.20:4321` to
   * the learners and `localhost` to the teacher. Set it behind a proxy that changes scheme or name.
   */
  publicOrigin: readOrigin('WIRELAB_PUBLIC_ORIGIN'),

  // ---- compressed WebSocket frames: `ws?deflate=` (server/lab/deflate.ts, docs/lab-api.md "WS ws")
  /**
   * WebSockets with permessage-deflate (RFC 7692) open at once on the whole server. Each keeps a
   * zlib deflate and inflate stream for its life, about 260 KB against 35 KB for a plain one, with
   * or without context takeover (docs/performance.md): 128 of them ≈ 33 MB. Beyond, the handshake
   * declines the extension (the socket works, uncompressed) and the inspector says which bound.
   * 0 turns compression off.
   */
  maxDeflateSockets: readInt('WIRELAB_MAX_DEFLATE_SOCKETS', 128, 0, 100_000),
  /** Compressed WebSockets one session may have open at once (beyond: declined, as above). */
  maxDeflateSocketsPerSession: readInt('WIRELAB_MAX_DEFLATE_SOCKETS_PER_SESSION', 2, 0, 1_000),
  // ---- who is on the other end: tickets for `ws` and `sse` (server/lab/tickets.ts, lesson 18)
  /**
   * How long (ms) a ticket from `POST ticket` stays good. Short, because a ticket rides in a URL
   * (`ws?ticket=`, `sse?ticket=`), and URLs end up in logs: one that expired in seconds is worth
   * little to whoever reads it there.
   */
  ticketTtlMs: readInt('WIRELAB_TICKET_TTL_MS', 30_000, 1_000, 600_000),
  /**
   * Tickets one session may hold unused and unexpired at once: past it, `POST ticket` is a 429
   * until the oldest one expires or is used. A page needs one per connection it is about to open.
   */
  maxTicketsPerSession: readInt('WIRELAB_MAX_TICKETS_PER_SESSION', 5, 1, 1_000),
  /**
   * With `ws?auth=first`, how long (ms) the server waits for the `{"type":"auth",…}` message
   * after the handshake before it closes the socket with 1008.
   */
  authFirstMessageMs: readInt('WIRELAB_AUTH_FIRST_MESSAGE_MS', 5_000, 100, 60_000),

  // ---- scaling out: many processes on one Redis (server/shared/, docs/scale.md)
  /**
   * Redis shared by every Wire Lab process behind one proxy: classes, room feeds (as Streams),
   * fan-out and server-wide bounds live there. Empty (the default): one process, the embedded
   * class store, nothing shared. Set but unreachable at start: the server says so and exits.
   */
  redisUrl: readRedisUrl('WIRELAB_REDIS_URL'),
  /** How long (ms) a start waits for Redis to answer before it gives up with an error. */
  redisConnectTimeoutMs: readInt('WIRELAB_REDIS_CONNECT_TIMEOUT_MS', 3_000, 100, 60_000),
  /** How often (ms) a process tells Redis it is alive and how many sessions it holds. */
  nodeBeatMs: readInt('WIRELAB_NODE_BEAT_MS', 1_000, 100, 60_000),

  // ---- long-poll batching (server/lab/poll.ts, docs/lab-api.md "GET poll")
  /**
   * A held `poll` whose first new message came less than this many ms after the one before it
   * (messages are flowing, e.g. a class's pushes at 10 a second) waits this long for more and
   * answers them together: a few messages a request instead of one. A message after a quiet
   * spell still answers at once, so the lessons' ticks (1 a second) go one an answer as before.
   * Below `tickIntervalMs`; 0: every held poll answers its first new message at once.
   */
  pollBatchMs: readInt('WIRELAB_POLL_BATCH_MS', 300, 0, 5_000),

  // ---- memory after a crowd (server/memory-trim.ts)
  /**
   * When open connections have fallen by at least this many from their peak, to half of it or
   * less, and stayed there for `memoryTrimAfterMs`, the server runs a full collection that gives
   * the freed memory back to the system (V8 otherwise keeps what a burst grew the heap to).
   * 0: never. Needs Node's `--expose-gc` (npm start and serve pass it).
   */
  memoryTrimDrop: readInt('WIRELAB_MEMORY_TRIM_DROP', 1_000, 0, 10_000_000),
  memoryTrimAfterMs: readInt('WIRELAB_MEMORY_TRIM_AFTER_MS', 90_000, 1_000, 3_600_000),
} as const;

export type Config = typeof config;
