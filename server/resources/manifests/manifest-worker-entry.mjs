// The entry of the manifest parser's worker thread (manifest-parser-thread.ts). Node 20
// gives a worker none of the loader hooks of the thread that starts it, so the worker
// registers tsx itself before it loads the TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./manifest-worker.ts');
