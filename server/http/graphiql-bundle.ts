import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** The parts of @graphql-yoga/render-graphiql's bundle, as its `graphiql` module exports them. */
const PARTS = ['js', 'css', 'favicon', 'editorWorkerService', 'jsonWorker', 'graphqlWorker'] as const;

export type GraphiQLBundle = Record<(typeof PARTS)[number], Buffer>;

/**
 * Plain JavaScript, run without the parent's loaders: reads the bundle's strings and hands
 * them back as bytes, moved (not copied) across.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const bundle = require(workerData.file);
const parts = workerData.parts.map((name) => {
  const bytes = Buffer.from(bundle[name]);
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? bytes.buffer
    : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
});
parentPort.postMessage(parts, parts);
`;

/**
 * GraphiQL's script, styles, workers and icon as bytes. The bundle is a 9 MB module:
 * imported here it would block the event loop for ~1.7 s while V8 compiles it (every
 * request waits, health checks too) and keep ~80 MB of strings and code for good. A
 * worker thread compiles it instead and exits, so only the ~9 MB of bytes remain.
 */
export async function loadGraphiQLBundle(): Promise<GraphiQLBundle> {
  const file = createRequire(import.meta.url).resolve('@graphql-yoga/render-graphiql/graphiql');
  const worker = new Worker(WORKER, { eval: true, execArgv: [], workerData: { file, parts: PARTS } });
  try {
    const parts = await new Promise<ArrayBuffer[]>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the GraphiQL bundle's loader exited with ${code}`)));
    });
    const [js, css, favicon, editorWorkerService, jsonWorker, graphqlWorker] = parts.map((b) =>
      Buffer.from(b),
    );
    return { js, css, favicon, editorWorkerService, jsonWorker, graphqlWorker };
  } finally {
    await worker.terminate();
  }
}
