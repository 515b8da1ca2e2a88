import { h } from './dom';
import { session } from './session';

export type Service = 'orders' | 'inventory' | 'fulfillment' | 'returns';
export interface Answer {
  status: number;
  body: any;
  /** Where the next page of a list starts (the X-Next-Cursor header), when there is one. */
  nextCursor?: string;
}

/** A call through the console's own /api proxy: the token goes nowhere else. */
export async function call(method: string, service: Service, path: string, body?: unknown): Promise<Answer> {
  const token = session.token();
  try {
    const response = await fetch(`/api/${service}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (a proxy error page): shown as text
    }
    return { status: response.status, body: parsed, nextCursor: response.headers.get('x-next-cursor') ?? undefined };
  } catch (error) {
    return { status: 0, body: { message: `no answer: ${(error as Error).message}` } };
  }
}

/** The service's answer in words: what was done, or the status and why it was refused. */
export function answerBox(answer: Answer, done: string): HTMLElement {
  const ok = answer.status >= 200 && answer.status < 300;
  const why = ok ? '' : describeRefusal(answer.body);
  return h('div', { class: `answer ${ok ? 'ok' : 'refused'}`, role: ok ? 'status' : 'alert' }, ok ? `${answer.status}: ${done}` : `${answer.status || 'no answer'}: ${why}`);
}

/** A refusal written by the console itself, before any call. */
export function refusalBox(text: string): HTMLElement {
  return h('div', { class: 'answer refused', role: 'alert' }, text);
}

function describeRefusal(body: any): string {
  if (typeof body === 'string') return body;
  const message = Array.isArray(body?.message) ? body.message.join('; ') : body?.message;
  return [body?.reason, message ?? body?.error].filter(Boolean).join(': ') || 'refused';
}
