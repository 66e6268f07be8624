import { defineConfig } from 'prisma/config';
import { engineStandIn } from './engine-stand-in.ts';

engineStandIn();

export default defineConfig({
  schema: 'postgresql/schema.prisma',
  migrations: { path: 'postgresql/migrations' },
});
