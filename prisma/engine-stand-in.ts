import { fileURLToPath } from 'node:url';

/**
 * `prisma generate` asks for the native schema engine even though it never runs it,
 * and that binary can only be downloaded. Pointing the CLI at any existing file lets
 * generation work offline; migrations are applied by server/store/migrate.ts instead.
 */
export function engineStandIn(): void {
  process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(import.meta.url);
}
