/** The container runtimes a node agent can drive, by the name `--runtime` takes. */
export type RuntimeName = 'simulated';
export const RUNTIMES: readonly RuntimeName[] = ['simulated'];

export function isRuntimeName(name: string): name is RuntimeName {
  return (RUNTIMES as readonly string[]).includes(name);
}
