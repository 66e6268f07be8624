/** The container runtimes a node agent can drive, by the name `--runtime` takes. */
export type RuntimeName = 'docker' | 'simulated';
export const RUNTIMES: readonly RuntimeName[] = ['docker', 'simulated'];

export function isRuntimeName(name: string): name is RuntimeName {
  return (RUNTIMES as readonly string[]).includes(name);
}
