import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Builds the client SDK as the npm package @kubeql/client into a directory that
 * `npm pack` packs as it is:
 *
 *   npm run build:client                      # dist/client
 *   npx tsx scripts/build-client.ts <outDir>
 *
 * tsc (client/tsconfig.build.json) compiles client/index.ts and what it imports from
 * schema/ and lib/ to JavaScript and declarations, keeping the repository's layout
 * (client/, schema/, lib/) so that their relative imports hold; client/package.json,
 * the package's manifest with paths into that layout, and client/README.md go beside them.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLIENT_PACKAGE_DIR = path.join(ROOT, 'dist/client');

const TYPED_DOCUMENT_NODE = '@graphql-typed-document-node/core';
/** Where the declarations find TypedDocumentNode instead (see standAlone), without extension. */
const VENDORED_TYPES = 'client/typed-document-node';
/** The interface of @graphql-typed-document-node/core 3.x, to which it is structurally equal. */
const VENDORED_TYPES_SOURCE = `import type { DocumentNode } from 'graphql';

/** A DocumentNode that carries the types of its result and variables. */
export interface TypedDocumentNode<TResult = { [key: string]: any }, TVariables = { [key: string]: any }>
  extends DocumentNode {
  __apiType?: (variables: TVariables) => TResult;
}
`;

/** Builds the package into `outDir` (emptied first) and returns it. */
export function buildClientPackage(outDir: string = CLIENT_PACKAGE_DIR): string {
  fs.rmSync(outDir, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/typescript/bin/tsc'),
      '-p',
      'client/tsconfig.build.json',
      '--outDir',
      outDir,
    ],
    { cwd: ROOT, stdio: 'inherit' },
  );
  fs.writeFileSync(path.join(outDir, `${VENDORED_TYPES}.d.ts`), VENDORED_TYPES_SOURCE);
  for (const file of fs.readdirSync(outDir, { recursive: true, encoding: 'utf8' })) {
    if (file.endsWith('.d.ts')) standAlone(outDir, file);
  }
  for (const file of ['package.json', 'README.md']) {
    fs.copyFileSync(path.join(ROOT, 'client', file), path.join(outDir, file));
  }
  return outDir;
}

/**
 * Makes an emitted declaration file read the same in every tool and need no package
 * beyond the dependencies. tsc leaves relative imports ending in .ts in declarations
 * (microsoft/TypeScript#61037): TypeScript reads them, other tools that read .d.ts may
 * not. And TypedDocumentNode comes from @graphql-typed-document-node/core, a package of
 * types only that the JavaScript never loads: the package brings its own copy rather than
 * a third dependency.
 */
function standAlone(outDir: string, file: string): void {
  const full = path.join(outDir, file);
  const vendored = path.relative(path.dirname(full), path.join(outDir, `${VENDORED_TYPES}.js`));
  const specifier = vendored.startsWith('.') ? vendored : `./${vendored}`;
  const text = fs
    .readFileSync(full, 'utf8')
    .replace(/(['"])(\.\.?\/[^'"]*)\.ts\1/g, '$1$2.js$1')
    .replaceAll(`'${TYPED_DOCUMENT_NODE}'`, `'${specifier.split(path.sep).join('/')}'`);
  fs.writeFileSync(full, text);
}

if (process.argv[1] && new URL(`file://${process.argv[1]}`).href === import.meta.url) {
  console.log(buildClientPackage(process.argv[2] ? path.resolve(process.argv[2]) : undefined));
}
