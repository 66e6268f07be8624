import fs from 'node:fs';
import { SDL_FILE, printSdl } from '../server/graphql/sdl.ts';

fs.writeFileSync(SDL_FILE, printSdl());
