import { messageOf, resourceWriter, type KubeqlClient } from '../../client/index.ts';
import { systemClock, type Clock } from '../../lib/clock.ts';
import { ApiEventRecorder } from '../events.ts';
import { SharedInformers } from '../informers.ts';
import {
  DEFAULT_CONTROLLER_OPTIONS,
  type Controller,
  type ControllerFactory,
  type ControllerOptions,
} from './controller.ts';

export interface ControllerManager {
  readonly controllers: Controller[];
  /** Resolves once every informer the controllers use has listed. */
  synced: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs controllers as kube-controller-manager does: one client, shared informers,
 * one event recorder; each controller registers its handlers, then informers start.
 */
export function startControllers(
  client: KubeqlClient,
  factories: ControllerFactory[],
  options: Partial<ControllerOptions> & {
    log?: (line: string) => void;
    /** Informers shared with other components of the process; whoever passes them stops them. */
    informers?: SharedInformers;
    clock?: Clock;
  } = {},
): ControllerManager {
  const log = options.log ?? ((line: string) => console.error(line));
  const { informers: shared, clock = systemClock, ...controllerOptions } = options;
  const informers = shared ?? new SharedInformers(client, (error) => log(`informer: ${messageOf(error)}`));
  const writer = resourceWriter(client);
  const ctx = {
    client,
    writer,
    informers,
    events: new ApiEventRecorder(writer, 'kubeql-controller-manager', log, { clock }),
    options: { ...DEFAULT_CONTROLLER_OPTIONS, ...controllerOptions },
    clock,
    log,
  };
  const controllers = factories.map((make) => make(ctx));
  for (const controller of controllers) controller.start();
  informers.start();
  return {
    controllers,
    synced: informers.waitForSync(),
    stop: async () => {
      await Promise.all(controllers.map((controller) => controller.stop()));
      if (!shared) await informers.stop();
    },
  };
}
