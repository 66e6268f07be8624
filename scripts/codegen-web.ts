import fs from 'node:fs';
import { generateTypes } from './codegen.ts';

/**
 * The result and variable types of the dashboard's own operations (web/src/operations),
 * generated like the SDK's from the committed SDL, with a typed document for each. The
 * schema's object types (Pod, Deployment...) come from the SDK's generated file: the UI
 * never copies a server type by hand. `npm run codegen` runs this too.
 */
export const WEB_GENERATED_FILE = new URL('../web/src/generated/graphql.ts', import.meta.url);

export function generateWebTypes(): Promise<string> {
  return generateTypes({
    operationsDir: new URL('../web/src/operations/', import.meta.url),
    operationsPath: 'web/src/operations',
    outputPath: 'web/src/generated/graphql.ts',
    schemaTypes: false,
  });
}

if (process.argv[1] && new URL(`file://${process.argv[1]}`).href === import.meta.url) {
  fs.writeFileSync(WEB_GENERATED_FILE, await generateWebTypes());
}
