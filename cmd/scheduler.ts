import { parseArgs } from 'node:util';
import { DEFAULT_SCHEDULER_NAME, startScheduler } from '../agent/scheduler/scheduler.ts';
import { connect, CONNECTION_OPTIONS, CONNECTION_USAGE, stopOnSignal } from '../cli/connection.ts';

export const SCHEDULER_USAGE = `Usage: kq scheduler [--server URL] [--token T] [--scheduler-name ${DEFAULT_SCHEDULER_NAME}]

Runs the scheduler against a running API server: binds pending pods to nodes.
  --scheduler-name  the spec.schedulerName of the pods to place (default ${DEFAULT_SCHEDULER_NAME})
${CONNECTION_USAGE}`;

/** `kq scheduler`: runs until SIGINT/SIGTERM. */
export async function runScheduler(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...CONNECTION_OPTIONS,
      'scheduler-name': { type: 'string', default: DEFAULT_SCHEDULER_NAME },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(SCHEDULER_USAGE);
    return;
  }
  const client = connect(values);
  const scheduler = startScheduler(client, { schedulerName: values['scheduler-name'] });
  await scheduler.synced;
  console.log(`scheduler ${values['scheduler-name']} running`);
  stopOnSignal(async () => {
    await scheduler.stop();
    await client.close();
  });
}
