/**
 * `kq agent` as a program of its own: what `npm run build:agent` compiles into
 * dist/agent/kq-agent.mjs, so that a node runs plain JavaScript, without the TypeScript
 * loader (about 35 MB) and without the rest of kq.
 */
import { messageOf } from '../client/errors.ts';
import { runAgent } from './agent.ts';

try {
  await runAgent(process.argv.slice(2));
} catch (error) {
  console.error(`error: ${messageOf(error)}`);
  process.exit(1);
}
