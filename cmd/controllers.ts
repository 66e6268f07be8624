import { parseArgs } from 'node:util';
import { ALL_CONTROLLERS } from '../agent/controllers/index.ts';
import { startControllers } from '../agent/controllers/manager.ts';
import { connect, CONNECTION_OPTIONS, CONNECTION_USAGE, stopOnSignal } from '../cli/connection.ts';

export const CONTROLLERS_USAGE = `Usage: kq controllers [--server URL] [--token T]

Runs the controller manager (every controller) against a running API server.
${CONNECTION_USAGE}`;

/** `kq controllers`: runs until SIGINT/SIGTERM. */
export async function runControllers(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { ...CONNECTION_OPTIONS, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    console.log(CONTROLLERS_USAGE);
    return;
  }
  const client = connect(values);
  const manager = startControllers(client, ALL_CONTROLLERS);
  await manager.synced;
  console.log(`controllers running: ${manager.controllers.map((controller) => controller.name).join(', ')}`);
  stopOnSignal(async () => {
    await manager.stop();
    await client.close();
  });
}
