/**
 * Reading the body of `POST complete`: a JSON object `{"prompt": "…", "max_tokens": 40}`, as chat
 * APIs take it. Every refusal says what is wrong and what to send instead.
 */
import type { IncomingMessage } from 'node:http';
import type { Config } from '../config.ts';
import { readBody } from './body.ts';
import { bound } from './bounds.ts';

export interface Prompt {
  readonly prompt: string;
  readonly maxTokens: number;
}

export type PromptResult = { ok: true; value: Prompt } | { ok: false; status: number; error: string };

const FIELDS = ['prompt', 'max_tokens'];
const EXAMPLE = '{"prompt":"How do servers push data?","max_tokens":40}';

/** Reads and checks the prompt in `req`'s body. */
export async function readPrompt(req: IncomingMessage, cfg: Config): Promise<PromptResult> {
  const refuse = (status: number, error: string): PromptResult => ({ ok: false, status, error });
  // Only JSON, and the client must say so: a text/plain body would skip the CORS preflight this
  // endpoint is meant to show, and would not be what a chat API takes either.
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type))
    return refuse(
      415,
      `complete takes a JSON body with Content-Type: application/json, not ${type ? JSON.stringify(type) : 'none'}. Send e.g. ${EXAMPLE}.`,
    );

  const body = await readBody(req, cfg.maxMessageBytes);
  if (body === null)
    return refuse(
      413,
      `${bound(cfg, 'maxMessageBytes')} reached: the body is larger than ${cfg.maxMessageBytes} bytes. Send a shorter prompt.`,
    );
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch (err) {
    const why = err instanceof SyntaxError ? err.message : 'its bytes are not UTF-8';
    return refuse(400, `The body is not valid JSON (${why}). Send e.g. ${EXAMPLE}.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return refuse(400, `The body must be a JSON object such as ${EXAMPLE}, not ${JSON.stringify(value)}.`);

  const fields = value as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((name) => !FIELDS.includes(name));
  if (unknown.length > 0)
    return refuse(
      400,
      `Unknown field ${unknown.map((n) => JSON.stringify(n)).join(', ')}: complete takes "prompt" and "max_tokens" only.`,
    );
  const { prompt, max_tokens: maxTokens = cfg.completeTokens } = fields;
  if (typeof prompt !== 'string' || prompt.trim() === '')
    return refuse(400, `"prompt" must be a non-empty string, not ${JSON.stringify(prompt) ?? 'missing'}.`);
  const bytes = Buffer.byteLength(prompt);
  if (bytes > cfg.completePromptBytes)
    return refuse(
      413,
      `${bound(cfg, 'completePromptBytes')} reached: the prompt is ${bytes} bytes of UTF-8. Send a shorter prompt.`,
    );
  if (
    !Number.isInteger(maxTokens) ||
    (maxTokens as number) < 1 ||
    (maxTokens as number) > cfg.completeMaxTokens
  )
    return refuse(
      400,
      `"max_tokens" must be a whole number from 1 to ${cfg.completeMaxTokens} (${bound(cfg, 'completeMaxTokens')}), not ${JSON.stringify(maxTokens)}.`,
    );
  return { ok: true, value: { prompt, maxTokens: maxTokens as number } };
}
