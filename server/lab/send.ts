/**
 * POST /lab/<session>/send — a learner adds a chat message to the feed; every reader of the feed
 * (polls, streams, SSE, WebSockets) receives it, each in its own framing.
 *
 *   → POST /lab/<session>/send            Content-Type: text/plain      hello
 *   ← 200 {"id":57}
 *   → POST /lab/<session>/send            Content-Type: application/json   {"name":"Ada"}
 *   ← 200 {"id":58}
 */
import { answerText } from './answer.ts';
import { readBody } from './body.ts';
import { bound } from './bounds.ts';
import type { LabRequest } from './request.ts';

/** Appends the body as a `chat` message (parsed when sent as JSON); answers its id. */
export async function send({ req, res, feed, socket, lab }: LabRequest): Promise<void> {
  const body = await readBody(req, lab.cfg.maxMessageBytes);
  if (body === null) {
    const why = `${bound(lab.cfg, 'maxMessageBytes')} reached: the body is larger than ${lab.cfg.maxMessageBytes} bytes. Send a shorter message.`;
    lab.note(socket, why);
    // The rest of the body is not wanted: close the connection after this answer.
    answerText(res, 413, why, { Connection: 'close' });
    return;
  }
  if (body.length === 0) {
    answerText(res, 400, 'send needs a body: the message text, or JSON with Content-Type: application/json.');
    return;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    answerText(res, 400, 'The body is not valid UTF-8 text.');
    return;
  }
  // The Content-Type says how to read the body: JSON only when the client says it is JSON.
  let data: unknown = text;
  if (/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
    try {
      data = JSON.parse(text);
    } catch (err) {
      answerText(
        res,
        400,
        `The body is not valid JSON (${(err as Error).message}), yet Content-Type says it is.`,
      );
      return;
    }
  }

  const message = await feed.append('chat', data);
  const answer = JSON.stringify({ id: message.id });
  res.writeHead(200, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(answer),
    'Cache-Control': 'no-store',
  });
  res.end(answer);
}
