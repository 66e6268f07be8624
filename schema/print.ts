import fs from 'node:fs';
import { SDL_FILE, printSdl } from './sdl.ts';

fs.writeFileSync(SDL_FILE, printSdl());
