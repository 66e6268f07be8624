import { defineConfig } from 'prisma/config';
import { engineStandIn } from './engine-stand-in.ts';

engineStandIn();

export default defineConfig({
  schema: 'sqlite/schema.prisma',
  migrations: { path: 'sqlite/migrations' },
});
