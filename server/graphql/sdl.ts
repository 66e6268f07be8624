import { printSchema } from 'graphql';
import { sortedSchema } from './schema.ts';

/** Writes the SDL that clients generate their types from; a test fails when it is stale. */
export const SDL_FILE = new URL('../../schema/schema.graphql', import.meta.url);

export function printSdl(): string {
  return printSchema(sortedSchema()) + '\n';
}
