/**
 * What the kernel would do after the server closed first, done where the capture can see it.
 *
 * Closing a TCP socket sends FIN (RFC 9293 §3.10.4, CLOSE), and from then on the kernel answers
 * the client by itself: its FIN with an ACK, and any bytes it still sends with RST (the
 * application is gone, so they can never be read; Linux `tcp_rcv_state_process` in FIN-WAIT,
 * "TCPAbortOnData"). A capture at the socket sees none of that. So when the server destroys a
 * socket a session saw, the capture takes the socket's libuv handle before Node closes it,
 * half-closes it (the FIN the close would have sent) and keeps reading: the client's FIN arrives
 * as `'end'`, its bytes as `'data'` (answered with RST, as the kernel would), and then the handle
 * closes. The wire is the same as without the capture; the server's code sees its socket
 * destroyed at once (`'close'` fires, bounds count it gone).
 *
 * Bounded: at most `max` handles at once, each for at most `ms`; beyond, the socket closes at
 * once as before and the client's answer goes unseen.
 */
import { Socket } from 'node:net';

export interface AnswerSink {
  /** Bytes the client sent after the server's FIN (they were read here; the kernel would not have). */
  data(bytes: Buffer): void;
  /** The client's FIN. */
  end(): void;
  /** The handle closed: after the client's FIN, a reset, an error, or the wait running out. */
  closed(err: NodeJS.ErrnoException | null): void;
}

export class FinWaits {
  private readonly held = new Set<Socket>();
  readonly ms: number;
  readonly max: number;

  constructor(ms: number, max: number) {
    this.ms = ms;
    this.max = max;
  }

  /** Whether one more handle may be held now. */
  get room(): boolean {
    return this.ms > 0 && this.held.size < this.max;
  }

  /**
   * Takes over `handle` (the libuv TCP handle of a socket being destroyed, which must no longer be
   * its socket's): sends FIN unless `finSent`, and reports the client's answer to `sink`.
   */
  hold(handle: unknown, finSent: boolean, sink: AnswerSink): void {
    // `handle` is Node's own constructor option for wrapping an existing handle (child_process and
    // cluster use it to pass sockets); allowHalfOpen: Node must not end our side when theirs ends.
    const socket = new Socket({ handle, allowHalfOpen: true } as ConstructorParameters<typeof Socket>[0]);
    this.held.add(socket);
    let error: NodeJS.ErrnoException | null = null;
    const timer = setTimeout(() => socket.destroy(), this.ms);
    timer.unref();
    socket.unref();
    socket.on('data', (bytes: Buffer) => {
      sink.data(bytes);
      // Bytes for an application that closed: the kernel answers them with RST.
      if (!socket.destroyed) socket.resetAndDestroy();
    });
    socket.on('end', () => {
      sink.end();
      socket.destroy(); // both FINs crossed: closing now sends nothing more
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      error ??= err;
    });
    socket.on('close', () => {
      clearTimeout(timer);
      this.held.delete(socket);
      sink.closed(error);
    });
    if (!finSent) socket.end();
  }

  /** Closes every held handle (the capture is shutting down). */
  closeAll(): void {
    for (const socket of this.held) socket.destroy();
  }
}
