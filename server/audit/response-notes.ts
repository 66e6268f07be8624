import type http from 'node:http';

/** What the REST API tells the audit log of a request it answered, beyond the status code. */
interface Notes {
  /** A failure's metav1.Status reason and message. */
  failure?: { reason: string; message: string };
  requestBody?: string;
  responseBody?: unknown;
  /** A watch whose stream has begun: its ResponseStarted event is due. */
  started?: () => void;
  /** What admission added to the request's event (Pod Security's audit mode). */
  annotations?: Record<string, string>;
}

const notes = new WeakMap<object, Notes>();

function notesOf(key: object): Notes {
  let found = notes.get(key);
  if (!found) notes.set(key, (found = {}));
  return found;
}

/** Remembers a failure's Status, which the event's responseStatus and decision reason repeat. */
export function noteFailure(res: http.ServerResponse, reason: string, message: string): void {
  notesOf(res).failure = { reason, message };
}

/** Remembers the body a handler read, for events at Request level and above. */
export function noteRequestBody(req: http.IncomingMessage, text: string): void {
  notesOf(req).requestBody = text;
}

/** Remembers the object answered, for events at RequestResponse level. */
export function noteResponseBody(res: http.ServerResponse, body: unknown): void {
  notesOf(res).responseBody = body;
}

/** Says that a long-running response (a watch) has started streaming. */
export function noteResponseStarted(res: http.ServerResponse): void {
  notesOf(res).started?.();
}

export function onResponseStarted(res: http.ServerResponse, started: () => void): void {
  notesOf(res).started = started;
}

/** Remembers the annotations admission gave a write, for its event. */
export function noteAuditAnnotations(res: http.ServerResponse, annotations: Record<string, string>): void {
  if (Object.keys(annotations).length === 0) return;
  const found = notesOf(res);
  found.annotations = { ...found.annotations, ...annotations };
}

export function auditAnnotationsOf(res: http.ServerResponse): Record<string, string> | undefined {
  return notes.get(res)?.annotations;
}

export function failureOf(res: http.ServerResponse) {
  return notes.get(res)?.failure;
}

export function requestBodyOf(req: http.IncomingMessage): string | undefined {
  return notes.get(req)?.requestBody;
}

export function responseBodyOf(res: http.ServerResponse): unknown {
  return notes.get(res)?.responseBody;
}
